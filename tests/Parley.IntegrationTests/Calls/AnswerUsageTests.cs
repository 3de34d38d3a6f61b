using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>The server with an OpenAI-compatible chat model on loopback that streams its answer, with or without a usage chunk, or too late.</summary>
public sealed class ChatModelFixture : DatabaseFixture
{
    public const string Answer = "Free parking is in the car park behind the restaurant.";
    public const int ReportedTokens = 328;

    public enum Mode
    {
        WithUsage,
        WithoutUsage,
        Slow,
    }

    public Mode Upstream { get; set; }
    public ConcurrentQueue<JsonElement> Requests { get; } = new();
    public LoopbackServer Llm { get; private set; } = null!;
    public ParleyAppFactory App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public Guid Agent { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm = await LoopbackServer.StartAsync(app => app.MapPost("/v1/chat/completions", ChatAsync));
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Llm:Provider"] = "openai",
            ["Parley:Llm:BaseUrl"] = new Uri(Llm.BaseUrl, "v1").ToString(),
            ["Parley:Llm:ApiKey"] = "sk-test",
            ["Parley:Calls:SearchBudgetMs"] = "3000",
            // Generous, for a machine busy with the rest of the suite; the slow mode outlasts it anyway.
            ["Parley:Calls:LlmBudgetMs"] = "5000",
            ["Parley:Calls:TurnBudgetMs"] = "10000",
        });
        var admin = App.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Billed" })).Content.ReadFromJsonAsync<JsonElement>();
        Client = App.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        Agent = await CallTests.SetUpAsync(Client);
        // The first request of the process compiles the OpenAI client: a call of its own takes that cost.
        var warm = await Client.PostAsJsonAsync($"/v1/calls/{await CallTests.StartCallAsync(Client, Agent)}/turns?speak=false", new { transcript = "warm up" });
        warm.EnsureSuccessStatusCode();
    }

    private async Task ChatAsync(HttpContext context)
    {
        Requests.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted));
        if (Upstream == Mode.Slow)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        }
        context.Response.ContentType = "text/event-stream";
        string Chunk(string delta, string? finish) => JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1, model = "test-model",
            choices = new[] { new { index = 0, delta = new { role = "assistant", content = delta }, finish_reason = finish } },
        });
        var events = new List<string> { Chunk(Answer[..20], null), Chunk(Answer[20..], "stop") };
        if (Upstream == Mode.WithUsage)
        {
            events.Add(JsonSerializer.Serialize(new
            {
                id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1, model = "test-model", choices = Array.Empty<object>(),
                usage = new { prompt_tokens = ReportedTokens - 12, completion_tokens = 12, total_tokens = ReportedTokens },
            }));
        }
        events.Add("[DONE]");
        foreach (var e in events)
        {
            await context.Response.WriteAsync($"data: {e}\n\n", context.RequestAborted);
        }
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Llm.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class AnswerUsageTests(ChatModelFixture f) : IClassFixture<ChatModelFixture>
{
    private async Task<JsonElement> TurnAsync(Guid call, string text)
    {
        var response = await f.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<decimal>> BilledTokensAsync(Guid call)
    {
        await f.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var usage = await f.Client.GetFromJsonAsync<JsonElement>("/v1/usage");
        return usage.GetProperty("items").EnumerateArray()
            .Where(u => u.GetProperty("kind").GetString() == "llm_tokens" && u.GetProperty("callId").GetGuid() == call)
            .Select(u => u.GetProperty("quantity").GetDecimal()).ToList();
    }

    /// <summary>The characters of a chat request's messages (content as a string, or as text parts).</summary>
    private static int PromptCharacters(JsonElement request) => request.GetProperty("messages").EnumerateArray().Sum(m =>
        m.GetProperty("content") is { ValueKind: JsonValueKind.String } text
            ? text.GetString()!.Length
            : m.GetProperty("content").EnumerateArray().Sum(p => p.GetProperty("text").GetString()!.Length));

    [Fact]
    public async Task A_turn_is_billed_the_tokens_the_model_reported_or_an_estimate_of_its_whole_prompt_and_nothing_when_the_model_was_cut_off()
    {
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);

        f.Upstream = ChatModelFixture.Mode.WithUsage;
        var reported = await TurnAsync(call, "Is there parking near the restaurant?");
        Assert.Empty(reported.GetProperty("degraded").EnumerateArray());
        Assert.Equal(ChatModelFixture.Answer, reported.GetProperty("answer").GetString());
        Assert.Equal(new[] { (decimal)ChatModelFixture.ReportedTokens }, await BilledTokensAsync(call));

        f.Upstream = ChatModelFixture.Mode.WithoutUsage;
        f.Requests.Clear();
        var estimated = await TurnAsync(call, "How much is the corkage fee?");
        Assert.Empty(estimated.GetProperty("degraded").EnumerateArray());
        var request = Assert.Single(f.Requests);
        // About four characters a token, over everything sent (instructions, passages, history, question) and the reply.
        decimal expected = (PromptCharacters(request) + 3) / 4 + (ChatModelFixture.Answer.Length + 3) / 4;
        Assert.True(expected > 100, $"the prompt carries the passages: {expected} tokens");
        Assert.Equal(new[] { ChatModelFixture.ReportedTokens, expected }.Order(), (await BilledTokensAsync(call)).Order());

        f.Upstream = ChatModelFixture.Mode.Slow;
        var cut = await TurnAsync(call, "Can I bring my dog?");
        Assert.Contains("llm", cut.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(2, (await BilledTokensAsync(call)).Count);
    }
}
