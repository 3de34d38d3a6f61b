using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Knowledge;
using Parley.IntegrationTests.Transactional;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// These tests check what a turn does, not how fast: budgets are generous so that a machine busy with
/// the rest of the suite does not cut stages off (the budget tests set their own).
/// </summary>
public sealed class CallFixture : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Calls:SearchBudgetMs"] = "3000",
        ["Parley:Calls:LlmBudgetMs"] = "3000",
        ["Parley:Calls:TtsBudgetMs"] = "5000",
        ["Parley:Calls:TurnBudgetMs"] = "10000",
    };
}

public sealed class CallTests(CallFixture api) : IClassFixture<CallFixture>
{
    internal static async Task<Guid> SetUpAsync(HttpClient client, string? folder = null, object? agent = null)
    {
        foreach (var file in Directory.GetFiles(folder ?? Path.Combine(KnowledgeApiTests.RepoRoot(), "demo", "knowledge"), "*.md"))
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) } };
            (await client.PostAsync("/v1/knowledge/documents", form)).EnsureSuccessStatusCode();
        }
        var created = await client.PostAsJsonAsync("/v1/agents", agent ?? new { name = "Receptionist", topK = 3, minSimilarity = 0.25 });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    internal static async Task<Guid> StartCallAsync(HttpClient client, Guid agent)
    {
        var call = await client.PostAsJsonAsync("/v1/calls", new { agentId = agent, contact = new { phone = "+15550100999" }, direction = "in" });
        Assert.Equal(HttpStatusCode.Created, call.StatusCode);
        return (await call.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text, bool speak = true)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak={speak.ToString().ToLowerInvariant()}", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_whole_call_answers_from_the_right_chunks_and_is_logged_with_its_timings()
    {
        var a = await api.NewTenantAsync();
        var agent = await SetUpAsync(a.Client);
        // The first turn of a process loads the embedding model (warm-up is off in tests).
        await TurnAsync(a.Client, await StartCallAsync(a.Client, agent), "warm up", speak: false);
        var call = await StartCallAsync(a.Client, agent);
        (string Q, string Title, string Word)[] turns =
        [
            ("Is there parking near the restaurant?", "Location and parking", "park"),
            ("How much is the corkage fee?", "Drinks and wine", "$25"),
            ("Can I bring my dog?", "Terrace and dogs", "dog"),
        ];
        foreach (var (q, title, word) in turns)
        {
            var turn = await TurnAsync(a.Client, call, q);
            Assert.Equal(title, turn.GetProperty("sources")[0].GetProperty("title").GetString());
            Assert.Contains(word, turn.GetProperty("answer").GetString(), StringComparison.OrdinalIgnoreCase);
            var timings = turn.GetProperty("timings");
            Assert.True(timings.GetProperty("embedMs").GetDouble() > 0);
            Assert.True(timings.GetProperty("searchMs").GetDouble() > 0);
            Assert.True(timings.GetProperty("totalMs").GetDouble() >= timings.GetProperty("searchMs").GetDouble());
            Assert.True(Parley.Calls.Providers.EspeakTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
            var wav = Convert.FromBase64String(turn.GetProperty("audio").GetProperty("base64").GetString()!);
            Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
            // espeak-ng speaks at 22 050 Hz; the answer comes at the configured rate (16 kHz by default).
            Assert.Equal(16000, Parley.Calls.Audio.WavAudio.SampleRateOf(wav));
        }
        Assert.Equal(HttpStatusCode.OK, (await a.Client.PostAsync($"/v1/calls/{call}/end", null)).StatusCode);
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        Assert.Equal("ended", logged.GetProperty("status").GetString());
        var logTurns = logged.GetProperty("turns");
        Assert.Equal(3, logTurns.GetArrayLength());
        Assert.Equal("Is there parking near the restaurant?", logTurns[0].GetProperty("transcript").GetString());
        Assert.True(logTurns[1].GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
        Assert.NotEmpty(logTurns[2].GetProperty("chunkIds").EnumerateArray());
        var other = await api.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsJsonAsync($"/v1/calls/{call}/turns", new { transcript = "hi" })).StatusCode);
    }

    [Fact]
    public async Task A_close_paraphrase_is_served_from_the_answer_cache_until_the_knowledge_changes()
    {
        var a = await api.NewTenantAsync();
        var agent = await SetUpAsync(a.Client);
        var call = await StartCallAsync(a.Client, agent);
        var first = await TurnAsync(a.Client, call, "What time do you open on Sunday?", speak: false);
        Assert.False(first.GetProperty("cached").GetBoolean());
        var again = await TurnAsync(a.Client, call, "what time do you open on sunday", speak: false);
        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("answer").GetString(), again.GetProperty("answer").GetString());
        var unrelated = await TurnAsync(a.Client, call, "Do you sell gift cards?", speak: false);
        Assert.False(unrelated.GetProperty("cached").GetBoolean());

        (await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Winter", text = "In winter we open at noon on Sundays." })).EnsureSuccessStatusCode();
        var afterChange = await TurnAsync(a.Client, call, "What time do you open on Sunday?", speak: false);
        Assert.False(afterChange.GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task An_answer_spoken_once_is_not_spoken_again_its_audio_is_reused()
    {
        Assert.True(Parley.Calls.Providers.EspeakTextToSpeech.Available, "./parley test installs espeak-ng");
        var a = await api.NewTenantAsync();
        var agent = await SetUpAsync(a.Client);
        var call = await StartCallAsync(a.Client, agent);
        using var hits = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            api.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Parley.Calls.CallMetrics.MeterName, "parley.speech_cache.hits");

        var first = await TurnAsync(a.Client, call, "Is there parking near the restaurant?");
        var again = await TurnAsync(a.Client, call, "is there parking near the restaurant");

        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("answer").GetString(), again.GetProperty("answer").GetString());
        Assert.Equal(first.GetProperty("audio").GetProperty("base64").GetString(), again.GetProperty("audio").GetProperty("base64").GetString());
        Assert.Single(hits.GetMeasurementSnapshot());
        Assert.DoesNotContain("tts", again.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task An_llm_slower_than_its_budget_is_cut_off_and_the_turn_degrades_to_the_extractive_answer()
    {
        await using var llm = await LoopbackServer.StartAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            // A model that never answers: only a budget ends the wait.
            await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
            return Results.Ok();
        }));
        await using var app = new ParleyAppFactory(api.ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Llm:Provider"] = "openai",
            ["Parley:Llm:BaseUrl"] = new Uri(llm.BaseUrl, "v1").ToString(),
            ["Parley:Llm:ApiKey"] = "sk-test",
            ["Parley:Calls:LlmBudgetMs"] = "300",
            ["Parley:Calls:SearchBudgetMs"] = "5000",
            // Long beside the llm's budget, so that only the llm's own budget can cut the llm off in time.
            ["Parley:Calls:TurnBudgetMs"] = "30000",
        });
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "slow llm" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        var agent = await SetUpAsync(client);
        var call = await StartCallAsync(client, agent);
        await TurnAsync(client, call, "warm up", speak: false);
        var turn = await TurnAsync(client, call, "Is there parking near the restaurant?", speak: false);
        Assert.Contains("llm", turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
        // Not a timing bound a busy machine breaks: the model never answers and the turn may take 30 s,
        // so anything under 15 s was cut by the llm's 300 ms budget, and nothing cuts it before its budget.
        Assert.InRange(turn.GetProperty("timings").GetProperty("llmMs").GetDouble(), 250, 15_000);
        Assert.Contains("park", turn.GetProperty("answer").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_turns_get_400_and_an_ended_call_takes_no_more_turns()
    {
        var a = await api.NewTenantAsync();
        var agent = await SetUpAsync(a.Client, folder: Path.Combine(KnowledgeApiTests.RepoRoot(), "docs"));
        var call = await StartCallAsync(a.Client, agent);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.PostAsJsonAsync($"/v1/calls/{call}/turns", new { transcript = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.PostAsJsonAsync($"/v1/calls/{call}/turns", new { transcript = new string('x', 5000) })).StatusCode);
        await a.Client.PostAsync($"/v1/calls/{call}/end", null);
        Assert.Equal(HttpStatusCode.Conflict, (await a.Client.PostAsJsonAsync($"/v1/calls/{call}/turns", new { transcript = "hello" })).StatusCode);
    }
}
