using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Calls.CallLog;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// With <c>Parley:Calls:LlmRewrite</c> a follow-up is made standalone by the OpenAI-compatible LLM under its own
/// budget, and the turn says so; a model that is slow, fails or replies nothing usable leaves the local rewrite,
/// reported as <c>degraded: ["rewrite"]</c>. Against a real chat model on loopback (<see cref="RewriteModelFixture"/>).
/// </summary>
public sealed class LlmRewriteTests(RewriteModelFixture f) : IClassFixture<RewriteModelFixture>
{
    private const string Dogs = "Can I bring my dog?";
    private const string FollowUp = "And what about on Sundays?";

    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Title(JsonElement turn) => turn.GetProperty("sources")[0].GetProperty("title").GetString()!;

    private static List<string> Degraded(JsonElement turn) => turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()!).ToList();

    private async Task<JsonElement> LoggedTurnAsync(Guid call, JsonElement turn)
    {
        await f.On.Services.GetRequiredService<CallLogWriter>().FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var logged = await f.Client(f.On).GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        return logged.GetProperty("turns").EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == turn.GetProperty("id").GetGuid());
    }

    [Fact(Timeout = 120_000)]
    public async Task The_llms_standalone_question_is_what_a_follow_up_searches_and_the_turn_says_so()
    {
        f.Rewrite = RewriteModelFixture.Mode.Reply;
        // Not what the local rule would make of it ("bring dog: …", the terrace): the model's question steers retrieval.
        f.RewriteReply = "Is there parking near the restaurant on Sundays?";
        var client = f.Client(f.On);
        var call = await CallTests.StartCallAsync(client, f.Agent);
        var rewritesBefore = f.Rewrites;
        var first = await TurnAsync(client, call, Dogs);
        Assert.Equal("Terrace and dogs", Title(first));
        Assert.Equal(rewritesBefore, f.Rewrites);
        Assert.False(first.TryGetProperty("rewrite", out _));

        var followUp = await TurnAsync(client, call, FollowUp);

        Assert.Equal(rewritesBefore + 1, f.Rewrites);
        Assert.Contains(Dogs, f.LastRewritePrompt, StringComparison.Ordinal);
        Assert.Contains(FollowUp, f.LastRewritePrompt, StringComparison.Ordinal);
        Assert.Equal(f.RewriteReply, followUp.GetProperty("standaloneQuery").GetString());
        Assert.Equal("llm", followUp.GetProperty("rewrite").GetString());
        Assert.Empty(Degraded(followUp));
        Assert.Equal("Location and parking", Title(followUp));
        var rewriteMs = followUp.GetProperty("timings").GetProperty("rewriteMs").GetDouble();
        Assert.True(rewriteMs > 0);

        // Logged with the turn for the call page: the query, which rewrite, and its time; its tokens billed to the call.
        var logged = await LoggedTurnAsync(call, followUp);
        Assert.Equal(f.RewriteReply, logged.GetProperty("standaloneQuery").GetString());
        Assert.Equal("llm", logged.GetProperty("rewrite").GetString());
        Assert.Equal(rewriteMs, logged.GetProperty("timings").GetProperty("rewriteMs").GetDouble());
        var usage = await client.GetFromJsonAsync<JsonElement>("/v1/usage");
        Assert.Contains(usage.GetProperty("items").EnumerateArray(), u => u.GetProperty("kind").GetString() == "llm_tokens"
            && u.GetProperty("callId").GetGuid() == call && u.GetProperty("quantity").GetDecimal() == RewriteModelFixture.RewriteTokens);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_model_slower_than_the_rewrite_budget_is_cut_off_and_the_turn_goes_on_with_the_local_rewrite()
    {
        f.Rewrite = RewriteModelFixture.Mode.Slow;
        var client = f.Client(f.On);
        var call = await CallTests.StartCallAsync(client, f.Agent);
        await TurnAsync(client, call, Dogs);
        var aborted = f.AbortedRewrites;

        var followUp = await TurnAsync(client, call, FollowUp);

        Assert.Contains("rewrite", Degraded(followUp));
        Assert.Equal("local", followUp.GetProperty("rewrite").GetString());
        Assert.Contains("dog", followUp.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);
        Assert.Equal("Terrace and dogs", Title(followUp));
        // The budget cancelled the model's request itself: the model sees its client go away.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (f.AbortedRewrites == aborted)
        {
            await Task.Delay(20, deadline.Token);
        }
        var logged = await LoggedTurnAsync(call, followUp);
        Assert.Equal("local", logged.GetProperty("rewrite").GetString());
        Assert.Contains("rewrite", logged.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(RewriteModelFixture.Mode.ServerError)]
    [InlineData(RewriteModelFixture.Mode.Garbage)]
    [InlineData(RewriteModelFixture.Mode.Refusal)]
    [InlineData(RewriteModelFixture.Mode.Empty)]
    public async Task A_failed_or_unusable_rewrite_falls_back_to_the_local_rewrite_and_is_reported(RewriteModelFixture.Mode mode)
    {
        f.Rewrite = mode;
        var client = f.Client(f.On);
        var call = await CallTests.StartCallAsync(client, f.Agent);
        await TurnAsync(client, call, Dogs);
        var rewrites = f.Rewrites;

        var followUp = await TurnAsync(client, call, FollowUp);

        Assert.Equal(rewrites + 1, f.Rewrites);
        Assert.Contains("rewrite", Degraded(followUp));
        Assert.Equal("local", followUp.GetProperty("rewrite").GetString());
        Assert.Contains("dog", followUp.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);
        Assert.Equal("Terrace and dogs", Title(followUp));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_openai_compatible_endpoint_rewrites_a_follow_up_with_the_same_llm_rewrite()
    {
        f.Rewrite = RewriteModelFixture.Mode.Reply;
        f.RewriteReply = "Can I bring my dog to the restaurant on Sundays?";
        var client = f.Client(f.On);
        var call = await CallTests.StartCallAsync(client, f.Agent);
        async Task<JsonElement> CompleteAsync(string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/openai/chat/completions")
            {
                Content = JsonContent.Create(new { model = f.Agent, messages = new[] { new { role = "user", content = text } } }),
            };
            request.Headers.Add("X-Parley-Call-Id", call.ToString());
            var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parley");
        }
        await CompleteAsync(Dogs);
        var rewrites = f.Rewrites;

        var followUp = await CompleteAsync(FollowUp);

        Assert.Equal(rewrites + 1, f.Rewrites);
        Assert.Equal(f.RewriteReply, followUp.GetProperty("standaloneQuery").GetString());
        Assert.Equal("llm", followUp.GetProperty("rewrite").GetString());
        Assert.True(followUp.GetProperty("timings").GetProperty("rewriteMs").GetDouble() > 0);
        Assert.Equal("Terrace and dogs", followUp.GetProperty("sources")[0].GetProperty("title").GetString());
    }

    [Fact(Timeout = 120_000)]
    public async Task With_the_setting_off_the_llm_is_never_asked_to_rewrite_and_the_local_rule_still_does()
    {
        f.Rewrite = RewriteModelFixture.Mode.Reply;
        f.RewriteReply = "Is there parking near the restaurant on Sundays?";
        var client = f.Client(f.Off);
        var call = await CallTests.StartCallAsync(client, f.Agent);
        var (rewrites, answers) = (f.Rewrites, f.Answers);

        await TurnAsync(client, call, "Do you have a kids menu?");
        var followUp = await TurnAsync(client, call, "And how much is it?");

        Assert.Equal(rewrites, f.Rewrites);
        // The model was there and answered the turns (questions no other test asks, so not from the answer cache).
        Assert.True(f.Answers > answers);
        Assert.Equal("local", followUp.GetProperty("rewrite").GetString());
        Assert.Contains("kids", followUp.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);
        Assert.Empty(Degraded(followUp));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_config_gives_the_call_page_the_rewrite_budget_only_when_the_llm_rewrites()
    {
        var on = (await f.Client(f.On).GetFromJsonAsync<JsonElement>("/v1/config")).GetProperty("budgets");
        var off = (await f.Client(f.Off).GetFromJsonAsync<JsonElement>("/v1/config")).GetProperty("budgets");
        Assert.Equal(RewriteModelFixture.RewriteBudgetMs, on.GetProperty("rewriteMs").GetInt32());
        Assert.False(off.TryGetProperty("rewriteMs", out _));
    }

    [Theory(Timeout = 120_000)]
    [InlineData("Parley:Calls:LlmRewrite", "true", "Parley:Calls:LlmRewrite needs an OpenAI-compatible LLM")]
    [InlineData("Parley:Calls:RewriteBudgetMs", "0", "RewriteBudgetMs")]
    public async Task An_llm_rewrite_without_an_llm_or_with_no_budget_is_refused_at_start(string setting, string value, string message)
    {
        await Task.Yield();
        using var app = new ParleyAppFactory(f.ConnectionString, new Dictionary<string, string?> { [setting] = value });
        var e = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
