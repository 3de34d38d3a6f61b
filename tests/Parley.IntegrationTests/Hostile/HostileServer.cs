using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Parley.IntegrationTests.Embeddings;
using Parley.LocalPostgres;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Hostile;

/// <summary>
/// A real Parley server as a child process (its own pid, its own memory to read), on a fresh
/// database of the test cluster, with two tenants: the attacker, who sends the hostile files, and
/// the victim, whose turns and searches must keep working. Embeddings come from an OpenAI-compatible
/// server on loopback (a deterministic bag of words, <see cref="FakeEmbeddingServer"/>): the files,
/// not the model, are under test, and 1 MB of Chinese is ~1 700 chunks.
/// </summary>
public sealed class HostileServer : IAsyncLifetime
{
    private const string AdminKey = "padm_hostile_files_test_key_00000";
    private readonly string _home = Directory.CreateTempSubdirectory("parley-hostile-").FullName;
    private LoopbackServer? _embeddings;

    public ServerProcess Server { get; private set; } = null!;
    public int Pid { get; private set; }
    public HttpClient Attacker { get; private set; } = null!;
    public HttpClient Victim { get; private set; } = null!;
    public Guid AttackerCall { get; private set; }
    public Guid VictimAgent { get; private set; }
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var postgres = await TestPostgres.GetAsync();
        var name = $"hostile_{Guid.NewGuid():N}"[..20];
        await using (var admin = new NpgsqlConnection(postgres.Info.SuperuserConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} OWNER {ClusterInfo.OwnerUser}", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using (var db = new NpgsqlConnection(postgres.Info.SuperuserConnectionString(name)))
        {
            await db.OpenAsync();
            await using var ext = new NpgsqlCommand("CREATE EXTENSION vector; CREATE EXTENSION pg_stat_statements;", db);
            await ext.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(postgres.Info.AppConnectionString) { Database = name }.ConnectionString;
        _embeddings = await FakeEmbeddingServer.StartAsync(384);
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        Server = await ServerProcess.StartAsync(dll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Parley"] = ConnectionString,
            ["Parley__AdminKey"] = AdminKey,
            ["PARLEY_HOME"] = _home,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Parley__Embeddings__Provider"] = "openai",
            ["Parley__Embeddings__BaseUrl"] = new Uri(_embeddings.BaseUrl, "v1").ToString(),
            ["Parley__Embeddings__ApiKey"] = "sk-test",
            ["Parley__Embeddings__Model"] = FakeEmbeddingServer.Model,
            ["Parley__Embeddings__Dimensions"] = "384",
            ["Parley__Knowledge__Jobs__PollMilliseconds"] = "200",
            // The budgets are for a quiet machine; the tests share two cores with everything else.
            ["Parley__Calls__SearchBudgetMs"] = "5000",
            ["Parley__Calls__TurnBudgetMs"] = "10000",
        }, TimeSpan.FromSeconds(120), CancellationToken.None);
        Pid = Server.ProcessId;
        using var platform = Client(AdminKey);
        Attacker = await TenantAsync(platform, "Attacker");
        Victim = await TenantAsync(platform, "Victim");
        var attackerAgent = await IdAsync(Attacker, "/v1/agents", new { name = "Attacker's agent" });
        AttackerCall = await IdAsync(Attacker, "/v1/calls", new { agentId = attackerAgent });
        VictimAgent = await IdAsync(Victim, "/v1/agents", new { name = "Receptionist", topK = 3, minSimilarity = 0.0 });
        var doc = await Victim.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            title = "Opening hours",
            text = "# Opening hours\n\nThe harbour restaurant opens at noon and closes at eleven. Parking is free behind the fish market.",
        });
        Assert.True(doc.IsSuccessStatusCode, await doc.Content.ReadAsStringAsync());
    }

    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = Server.BaseUrl, Timeout = TimeSpan.FromMinutes(3) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Resets the server's peak resident memory (VmHWM), so the next reading is the peak since now.</summary>
    public void ResetPeakMemory() => File.WriteAllText($"/proc/{Pid}/clear_refs", "5");

    /// <summary>The server's peak resident memory (VmHWM) since the last reset, in MB.</summary>
    public double PeakMegabytes() => StatusKilobytes("VmHWM") / 1024.0;

    public double ResidentMegabytes() => StatusKilobytes("VmRSS") / 1024.0;

    private long StatusKilobytes(string field)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The victim is served as before: a turn answered from its knowledge base and logged (the turn
    /// reaches <c>GET /v1/calls/{id}</c>), and a search that finds its document.
    /// </summary>
    public async Task VictimIsServedAsync()
    {
        var call = await IdAsync(Victim, "/v1/calls", new { agentId = VictimAgent });
        var turn = await Victim.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "When does the harbour restaurant open?" });
        Assert.True(turn.IsSuccessStatusCode, await turn.Content.ReadAsStringAsync());
        var answer = await turn.Content.ReadFromJsonAsync<JsonElement>();
        // The extractive answer comes from the victim's own passage (a repeated question may come from the answer cache).
        Assert.Contains("noon", answer.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Empty(answer.GetProperty("degraded").EnumerateArray());
        var search = await (await Victim.PostAsJsonAsync("/v1/knowledge/search", new { query = "parking behind the fish market", mode = "hybrid" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Opening hours", search.GetProperty("results")[0].GetProperty("title").GetString());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await Victim.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}")).GetProperty("turns").GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the victim's turn never reached the call log");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a background job to end; returns its final state.</summary>
    public async Task<JsonElement> FinishedJobAsync(HttpClient client, Guid job, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await client.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{job}");
            if (state.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                return state;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job {job} did not finish: {state}");
            await Task.Delay(200);
        }
    }

    private async Task<HttpClient> TenantAsync(HttpClient platform, string name)
    {
        var created = await platform.PostAsJsonAsync("/v1/accounts", new { name });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return Client((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!);
    }

    private static async Task<Guid> IdAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task DisposeAsync()
    {
        Attacker?.Dispose();
        Victim?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        if (_embeddings is not null)
        {
            await _embeddings.DisposeAsync();
        }
        Directory.Delete(_home, recursive: true);
    }
}
