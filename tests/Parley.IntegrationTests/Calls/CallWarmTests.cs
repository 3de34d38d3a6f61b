using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using Parley.Domain;
using Parley.IntegrationTests.Transactional;
using Parley.Knowledge;
using Parley.Knowledge.Search;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>A tenant of more than 5 chunks gets a partial HNSW index here, so the demo knowledge base is a large tenant.</summary>
public sealed class CallWarmFixture : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Calls:SearchBudgetMs"] = "3000",
        ["Parley:Calls:LlmBudgetMs"] = "3000",
        ["Parley:Calls:TurnBudgetMs"] = "10000",
        ["Parley:Knowledge:LargeTenantChunks"] = "5",
    };
}

/// <summary>
/// Starting a call warms its tenant's knowledge in the background: the partial index of a large tenant, the rows
/// of a small one; once per tenant per window; a warm that fails or finds nothing costs the call nothing.
/// </summary>
public sealed class CallWarmTests(CallWarmFixture api) : IClassFixture<CallWarmFixture>
{
    private MetricCollector<long> Warms() =>
        new(api.App.Services.GetRequiredService<IMeterFactory>(), KnowledgeMetrics.MeterName, "parley.knowledge.warms");

    private static string[] Outcomes(MetricCollector<long> warms, Guid account) =>
        warms.GetMeasurementSnapshot().Where(m => Equals(m.Tags["parley.account.id"], account.ToString()))
            .Select(m => (string)m.Tags["parley.warm.outcome"]!).ToArray();

    /// <summary>Waits for the warm of <paramref name="account"/> (it runs after the call's answer) and returns its outcomes.</summary>
    private static async Task<string[]> WarmedAsync(MetricCollector<long> warms, Guid account)
    {
        var clock = Stopwatch.StartNew();
        while (Outcomes(warms, account).All(o => o is "skipped" or "dropped"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no warm ran for the tenant within 60 s of its call starting");
            await Task.Delay(20);
        }
        return Outcomes(warms, account);
    }

    private async Task<T> AsOwnerAsync<T>(string sql, Guid account, Func<NpgsqlDataReader, T> read)
    {
        await using var conn = new NpgsqlConnection(api.OwnerConnectionString);
        await conn.OpenAsync();
        await using (var platform = new NpgsqlCommand("SELECT set_config('parley.platform', 'on', false)", conn))
        {
            await platform.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = account } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return read(reader);
    }

    /// <summary>The tenant's partial index, built now (or by the server's own maintainer if it got there first).</summary>
    private async Task<string> IndexedAsync(Guid account)
    {
        await api.App.Services.GetRequiredService<TenantIndexMaintainer>().RunOnceAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while (await AsOwnerAsync("SELECT hnsw_index FROM knowledge_tenant_stats WHERE account_id = $1", account, r => r.IsDBNull(0) ? null : r.GetString(0)) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the tenant's partial index was never built");
            await Task.Delay(50);
        }
        return TenantIndexMaintainer.IndexName(new AccountId(account));
    }

    [Fact(Timeout = 240_000)]
    public async Task Starting_a_call_warms_the_tenants_partial_index_once_and_a_second_call_within_the_window_does_not()
    {
        var a = await api.NewTenantAsync("Warm index");
        var agent = await CallTests.SetUpAsync(a.Client);
        await IndexedAsync(a.Id);
        using var warms = Warms();

        var first = await CallTests.StartCallAsync(a.Client, agent);
        Assert.Equal(new[] { "index" }, await WarmedAsync(warms, a.Id));
        await CallTests.StartCallAsync(a.Client, agent);
        Assert.Equal(new[] { "index", "skipped" }, Outcomes(warms, a.Id));

        // What a warm reads: every block of the tenant's own index.
        var warmth = await api.App.Services.GetRequiredService<TenantWarmer>().WarmAsync(new AccountId(a.Id), CancellationToken.None);
        var blocks = await AsOwnerAsync("SELECT pg_relation_size(hnsw_index::regclass) / current_setting('block_size')::bigint FROM knowledge_tenant_stats WHERE account_id = $1",
            a.Id, r => r.GetInt64(0));
        Assert.Equal(new TenantWarmth("index", blocks, null), warmth);
        Assert.True(blocks > 1);
        var turn = await a.Client.PostAsJsonAsync($"/v1/calls/{first}/turns?speak=false", new { transcript = "Can I bring my dog?" });
        Assert.True(turn.IsSuccessStatusCode, await turn.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 180_000)]
    public async Task A_small_tenant_is_warmed_by_reading_its_own_rows_only()
    {
        var small = await api.NewTenantAsync("Warm rows");
        (await small.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text = "We open at nine." })).EnsureSuccessStatusCode();
        var agent = (await (await small.Client.PostAsJsonAsync("/v1/agents", new { name = "Small" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var big = await api.NewTenantAsync("Warm neighbour");
        await CallTests.SetUpAsync(big.Client);
        using var warms = Warms();

        await CallTests.StartCallAsync(small.Client, agent);

        Assert.Equal(new[] { "rows" }, await WarmedAsync(warms, small.Id));
        var warmth = await api.App.Services.GetRequiredService<TenantWarmer>().WarmAsync(new AccountId(small.Id), CancellationToken.None);
        var own = await AsOwnerAsync("""
            SELECT (SELECT count(*) FROM knowledge_chunks WHERE account_id = $1) + (SELECT count(*) FROM knowledge_documents WHERE account_id = $1)
            """, small.Id, r => r.GetInt64(0));
        Assert.Equal(new TenantWarmth("rows", null, own), warmth);
        Assert.Equal(2, own);
        Assert.Empty(Outcomes(warms, big.Id));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_warm_that_fails_or_finds_no_knowledge_does_not_fail_the_call()
    {
        var broken = await api.NewTenantAsync("Warm broken");
        var agent = await CallTests.SetUpAsync(broken.Client);
        await IndexedAsync(broken.Id);
        // The index recorded for the tenant is gone (dropped by hand): the warm's regclass lookup fails.
        await AsOwnerAsync("UPDATE knowledge_tenant_stats SET hnsw_index = 'knowledge_chunks_hnsw_gone' WHERE account_id = $1 RETURNING 1", broken.Id, r => r.GetInt32(0));
        var empty = await api.NewTenantAsync("Warm empty");
        var bare = (await (await empty.Client.PostAsJsonAsync("/v1/agents", new { name = "Bare" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var warms = Warms();

        var brokenCall = await CallTests.StartCallAsync(broken.Client, agent);
        var emptyCall = await CallTests.StartCallAsync(empty.Client, bare);

        Assert.Equal(new[] { "failed" }, await WarmedAsync(warms, broken.Id));
        Assert.Equal(new[] { "empty" }, await WarmedAsync(warms, empty.Id));
        foreach (var (client, call) in new[] { (broken.Client, brokenCall), (empty.Client, emptyCall) })
        {
            var turn = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "Can I bring my dog?" });
            Assert.True(turn.IsSuccessStatusCode, await turn.Content.ReadAsStringAsync());
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_call_the_OpenAI_endpoint_starts_on_first_sight_warms_its_tenant_and_the_same_call_again_does_not_ask()
    {
        var tenant = await api.NewTenantAsync("Warm OpenAI");
        var agent = await CallTests.SetUpAsync(tenant.Client);
        using var warms = Warms();

        async Task<Guid> CompleteAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/openai/chat/completions")
            {
                Content = JsonContent.Create(new { model = agent, messages = new[] { new { role = "user", content = "Can I bring my dog?" } } }),
            };
            request.Headers.Add("X-Call-Id", "platform-call-7");
            var response = await tenant.Client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return Guid.Parse(response.Headers.GetValues("X-Parley-Call-Id").Single());
        }

        var call = await CompleteAsync();
        var warmed = await WarmedAsync(warms, tenant.Id);
        var outcome = Assert.Single(warmed);
        Assert.Contains(outcome, new[] { "index", "rows" });
        // The platform's next request of the same call finds it: not a call start, so no warm is asked (not even a skipped one).
        Assert.Equal(call, await CompleteAsync());
        Assert.Equal(warmed, Outcomes(warms, tenant.Id));
    }
}
