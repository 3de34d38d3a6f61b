using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Parley.Monitoring.Alerts;
using Xunit;

namespace Parley.EndToEndTests;

/// <summary>
/// One tenant's real traffic through the public API, counting the per-search records it must leave: one
/// per knowledge search, and one per phone turn that searched (a turn answered from the answer cache does
/// not search; a search cut off at its budget is cancelled before it is recorded).
/// </summary>
public sealed class Traffic(LiveServer server, Seed.Tenant tenant)
{
    /// <summary>The monitor's threshold (<c>Parley:Monitor:ThresholdMs</c>, default 200 ms).</summary>
    public const double ThresholdMs = 200;

    /// <summary>How long the lock is held once every slow search waits behind it: each then takes at least this long.</summary>
    private const int HoldMs = 350;

    private int _searches;

    public int Searches => Volatile.Read(ref _searches);

    public async Task<JsonElement> SearchAsync(string query)
    {
        var result = await Seed.ReadAsync(await tenant.Client.PostAsJsonAsync("/v1/knowledge/search", new { query, topK = 3 }));
        Interlocked.Increment(ref _searches);
        return result;
    }

    public async Task CallAsync(Guid agent, params string[] transcripts)
    {
        var (_, turns) = await Seed.CallWithTurnsAsync(tenant, agent, transcripts);
        foreach (var turn in turns)
        {
            var searched = !turn.GetProperty("cached").GetBoolean() &&
                !turn.GetProperty("degraded").EnumerateArray().Any(stage => stage.GetString() == "search");
            if (searched)
            {
                Interlocked.Increment(ref _searches);
            }
        }
    }

    /// <summary>
    /// Searches that are really slow at the database, as in the integration tests' LatencyAlertTests: another
    /// session holds <c>knowledge_chunks</c> locked until every search waits behind the lock, then a while longer.
    /// </summary>
    public async Task SlowSearchesAsync(string query, int count)
    {
        await using var db = NpgsqlDataSource.Create(server.SuperuserConnectionString);
        await using var holder = await db.OpenConnectionAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockTable = holder.CreateCommand())
        {
            lockTable.CommandText = "LOCK TABLE knowledge_chunks IN ACCESS EXCLUSIVE MODE";
            await lockTable.ExecuteNonQueryAsync();
        }
        var slow = Enumerable.Range(0, count).Select(_ => SearchAsync(query)).ToList();
        // Polled on other connections: inside the holder's transaction pg_stat_activity would be a frozen snapshot.
        await using (var waiting = db.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))
        {
            var clock = Stopwatch.StartNew();
            while ((long)(await waiting.ExecuteScalarAsync())! < count)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{count} searches did not all reach the locked table within 15 s.");
                await Task.Delay(20);
            }
        }
        // Held until the database says a search has waited longer than HoldMs: its clock, not a sleep.
        await using (var held = db.CreateCommand(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND clock_timestamp() - query_start > interval '{HoldMs} ms'"))
        {
            var clock = Stopwatch.StartNew();
            while ((long)(await held.ExecuteScalarAsync())! < 1)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"no search waited {HoldMs} ms at the locked table within 30 s.");
                await Task.Delay(20);
            }
        }
        await tx.CommitAsync();
        foreach (var result in await Task.WhenAll(slow))
        {
            Assert.True(result.GetProperty("timings").GetProperty("searchMs").GetDouble() > ThresholdMs, result.ToString());
        }
    }

    /// <summary>
    /// Waits until the batched records writer has written every search made (polling <c>GET /v1/metrics/rag</c>,
    /// at most 15 s) and returns those figures.
    /// </summary>
    public async Task<JsonElement> RecordedAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var rag = await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/metrics/rag?window=1h");
            var total = rag.GetProperty("totalSearches").GetInt64();
            Assert.True(total <= Searches, $"{total} searches recorded, {Searches} made.");
            if (total == Searches)
            {
                return rag;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"Only {total} of {Searches} searches were recorded within 15 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>One latency check by the server's own monitor, once the records of every search made are written.</summary>
    public async Task<MonitorCheck> CheckAsync()
    {
        await RecordedAsync();
        var check = await server.Get<LatencyMonitorService>().CheckOnceAsync(CancellationToken.None);
        Assert.True(check.Led, "another process held the monitor's lock");
        return check;
    }
}
