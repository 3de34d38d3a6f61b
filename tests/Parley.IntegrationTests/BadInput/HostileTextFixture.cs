using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Parley.IntegrationTests.Faults;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.BadInput;

/// <summary>
/// A real server process (so "the same process" means the same pid) on a database of its own, with an
/// OpenAI-compatible LLM and speech recogniser played by a loopback server that slips control characters
/// into what it returns when asked about "poison". Tenant A sends the hostile requests; tenant B, the
/// other tenant, checks after each that its turns and searches still work and reach the database.
/// </summary>
public sealed class HostileTextFixture : DatabaseFixture
{
    private const string AdminKey = "padm_hostile_text_test_key_00000";
    private readonly string _home = Directory.CreateTempSubdirectory("parley-hostile-").FullName;

    public ServerProcess Process { get; private set; } = null!;
    public LoopbackServer Provider { get; private set; } = null!;
    public int Pid { get; private set; }
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient A { get; private set; } = null!;
    public HttpClient B { get; private set; } = null!;
    public Guid AccountA { get; private set; }
    public Guid AccountB { get; private set; }
    public Guid CallA { get; private set; }
    public Guid CallB { get; private set; }

    /// <summary>What the model answers a question about poison, control characters and all.</summary>
    public static readonly string[] PoisonedAnswer = ["We open\u0000 at noon", " on Sundays\u001b[0m", "\u0007.\u0008"];

    /// <summary>What the recogniser hears in every recording.</summary>
    public const string PoisonedTranscript = "Is there\u0000 poison\u001f parking\u000b?";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Provider = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", ChatAsync);
            app.MapPost("/v1/audio/transcriptions", () => Results.Json(new { text = PoisonedTranscript })).DisableAntiforgery();
        });
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var provider = new Uri(Provider.BaseUrl, "v1").ToString();
        Process = await ServerProcess.StartAsync(dll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Parley"] = ConnectionString,
            ["Parley__AdminKey"] = AdminKey,
            ["PARLEY_HOME"] = _home,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Parley__Llm__Provider"] = "openai",
            ["Parley__Llm__BaseUrl"] = provider,
            ["Parley__Llm__ApiKey"] = "sk-test",
            ["Parley__Asr__Provider"] = "openai",
            ["Parley__Asr__BaseUrl"] = provider,
            ["Parley__Asr__ApiKey"] = "sk-test",
            // Generous budgets: this machine is shared, and a stage cut off would hide what the provider returned.
            ["Parley__Calls__AsrBudgetMs"] = "10000",
            ["Parley__Calls__SearchBudgetMs"] = "10000",
            ["Parley__Calls__LlmBudgetMs"] = "10000",
            ["Parley__Calls__TurnBudgetMs"] = "30000",
        }, TimeSpan.FromSeconds(120), CancellationToken.None);
        Pid = Process.ProcessId;
        Admin = Client(AdminKey);
        (AccountA, A) = await FaultCluster.NewTenantAsync(Admin, () => Client(null), "Hostile A");
        (AccountB, B) = await FaultCluster.NewTenantAsync(Admin, () => Client(null), "Other tenant B");
        CallA = await CallAsync(A);
        CallB = await CallAsync(B);
        foreach (var tenant in new[] { A, B })
        {
            var doc = await tenant.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text = "The bistro opens at noon on Sundays. Parking is behind the building." });
            Assert.True(doc.IsSuccessStatusCode, await doc.Content.ReadAsStringAsync());
        }
    }

    private HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Process.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    private static async Task<Guid> CallAsync(HttpClient tenant)
    {
        var agent = (await (await tenant.PostAsJsonAsync("/v1/agents", new { name = "Host", minSimilarity = 0.0 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (await (await tenant.PostAsJsonAsync("/v1/calls", new { agentId = agent })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Chat Completions, streamed (server-sent events) as the OpenAI client asks for it.</summary>
    private static async Task ChatAsync(HttpContext ctx)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        var question = body.GetProperty("messages").EnumerateArray().Last().GetProperty("content").ToString();
        string[] parts = question.Contains("poison", StringComparison.OrdinalIgnoreCase) ? PoisonedAnswer : ["We open at noon."];
        ctx.Response.ContentType = "text/event-stream";
        foreach (var part in parts)
        {
            var chunk = new
            {
                id = "chatcmpl-1", @object = "chat.completion.chunk", created = 1_700_000_000, model = "test",
                choices = new[] { new { index = 0, delta = new { role = "assistant", content = part }, finish_reason = (string?)null } },
            };
            await ctx.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", ctx.RequestAborted);
        }
        await ctx.Response.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
    }

    /// <summary>Where a hostile request may not reach: the process, and the other tenant's turns, searches and call log.</summary>
    public async Task AssertUndisturbedAsync(string after)
    {
        Assert.False(Process.HasExited, $"after {after}: the server process is gone\n{Process.Output}");
        Assert.Equal(Pid, Process.ProcessId);
        Assert.Equal(HttpStatusCode.OK, (await B.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        var turn = await B.PostAsJsonAsync($"/v1/calls/{CallB}/turns?speak=false", new { transcript = $"When do you open on Sunday? ({Guid.NewGuid():N})" });
        Assert.True(turn.StatusCode == HttpStatusCode.OK, $"after {after}: the other tenant's turn got {(int)turn.StatusCode}: {await turn.Content.ReadAsStringAsync()}");
        var turnId = (await turn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var search = await B.PostAsJsonAsync("/v1/knowledge/search", new { query = "parking", topK = 3 });
        Assert.True(search.StatusCode == HttpStatusCode.OK, $"after {after}: the other tenant's search got {(int)search.StatusCode}");
        Assert.NotEqual(0, (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").GetArrayLength());

        // The turn's record reaches the database and the call log's backlog drains to zero.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var report = await Admin.GetFromJsonAsync<JsonElement>("/v1/metrics/database");
            var backlog = report.GetProperty("writers").EnumerateArray().Single(w => w.GetProperty("name").GetString() == "call_log").GetProperty("backlog").GetInt64();
            if (backlog == 0 && await StoredAsync(turnId))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"after {after}: the other tenant's turn never reached call_turns (call-log backlog {backlog})");
            await Task.Delay(100);
        }
    }

    /// <summary>A stored turn's transcript and answer, read as the superuser; null when not there (yet).</summary>
    public async Task<(string Transcript, string Answer)?> StoredTurnAsync(Guid id)
    {
        await using var su = CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT transcript, answer FROM call_turns WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    private async Task<bool> StoredAsync(Guid id) => await StoredTurnAsync(id) is not null;

    public override async Task DisposeAsync()
    {
        await Process.DisposeAsync();
        await Provider.DisposeAsync();
        Directory.Delete(_home, recursive: true);
        await base.DisposeAsync();
    }
}
