using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Monitoring;
using Parley.Monitoring.Alerts;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed partial class LatencyAlertTests(MonitoringFixture fx) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Slow_searches_raise_one_alert_delivered_signed_and_resolved_when_latency_recovers()
    {
        var (account, client) = await fx.NewTenantAsync("Slow Bistro");
        var (_, other) = await fx.NewTenantAsync("Other Bistro");
        await Tenants.SeedAsync(client);
        const string question = "Is there parking nearby?";
        await Tenants.SearchAsync(client, question); // loads the model and fills the embedding cache
        var monitor = fx.App.Services.GetRequiredService<LatencyMonitorService>();
        using var raisedCounter = new MetricCollector<long>(fx.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            MonitoringMetrics.MeterName, "parley.alerts.raised");

        // Really slow searches: another session holds the chunks table locked, so each search's query waits at the database.
        await using (var superuser = new NpgsqlConnection(fx.Server.Superuser(fx.ConnectionString)))
        {
            await superuser.OpenAsync();
            await using var tx = await superuser.BeginTransactionAsync();
            await using (var lockCmd = new NpgsqlCommand("LOCK TABLE knowledge_chunks IN ACCESS EXCLUSIVE MODE", superuser, tx))
            {
                await lockCmd.ExecuteNonQueryAsync();
            }
            var slow = Enumerable.Range(0, 6).Select(_ => Tenants.SearchAsync(client, question)).ToList();
            // Released once the searches have waited at the lock for well over the 250 ms asked below (the database's
            // clock, no sleep). They queue behind one in-process lookup of the tenant's plan, so one session waits there.
            await using (var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND clock_timestamp() - query_start > interval '600 ms'", superuser, tx))
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                while ((long)(await waiting.ExecuteScalarAsync())! < 1)
                {
                    if (deadline.IsCancellationRequested)
                    {
                        await using var diag = new NpgsqlCommand(
                            "SELECT string_agg(coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, '-') || ':' || coalesce(state, '-') || ':' || (clock_timestamp() - query_start)::text || ':' || left(query, 60), E'\n') FROM pg_stat_activity WHERE datname = current_database()", superuser, tx);
                        Assert.Fail($"no search waited at the lock:\n{await diag.ExecuteScalarAsync()}");
                    }
                    Assert.DoesNotContain(slow, t => t.IsCompleted);
                    await Task.Delay(20, CancellationToken.None);
                }
            }
            await tx.CommitAsync();
            foreach (var s in await Task.WhenAll(slow))
            {
                Assert.True(s.GetProperty("timings").GetProperty("searchMs").GetDouble() > 250, s.ToString());
            }
        }
        await fx.FlushRecordsAsync();

        var first = await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.True(first.Led);
        var alert = Assert.Single(first.Raised);
        Assert.Equal(account, alert.AccountId);
        Assert.Equal("HIGH_LATENCY", alert.Type);
        Assert.Equal("WARNING", alert.Severity);
        Assert.Matches(LatencyMessage(), alert.Message);
        Assert.True(alert.ValueMs > 200, alert.Message);
        Assert.Equal(1, first.Delivered);

        // Still slow, still one alert: not repeated while open.
        var second = await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Empty(second.Raised);
        Assert.Empty(second.Resolved);
        var stored = (await ListAsync(client, "/v1/alerts")).EnumerateArray().ToList();
        var item = Assert.Single(stored);
        Assert.Equal(alert.Id, item.GetProperty("id").GetGuid());
        Assert.Equal(alert.Message, item.GetProperty("message").GetString());
        Assert.Equal(account, item.GetProperty("accountId").GetGuid());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("resolvedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("deliveredAt").ValueKind);
        Assert.Equal(1, raisedCounter.GetMeasurementSnapshot().Count(m => Equals(m.Tags["parley.account.id"], account.ToString())));

        // Delivered once (after one 503 and a retry), signed over the exact body.
        var posts = fx.Posts.ToList();
        Assert.Equal([503, 200], posts.Select(p => p.Status));
        foreach (var (body, signature, _) in posts)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(MonitoringFixture.WebhookSecret), body));
            Assert.Equal(expected, signature);
            var posted = JsonSerializer.Deserialize<JsonElement>(body);
            Assert.Equal(alert.Id, posted.GetProperty("id").GetGuid());
            Assert.Equal("HIGH_LATENCY", posted.GetProperty("type").GetString());
            Assert.Equal(account, posted.GetProperty("accountId").GetGuid());
        }

        // Another tenant sees neither the alert nor the searches; the admin sees the alert.
        Assert.Empty((await ListAsync(other, "/v1/alerts")).EnumerateArray());
        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("/v1/metrics/rag?window=1h")).GetProperty("totalSearches").GetInt64());
        Assert.Contains((await ListAsync(fx.Admin, "/v1/alerts")).EnumerateArray(), a => a.GetProperty("id").GetGuid() == alert.Id);

        // Latency recovers: fast searches push the slow ones past the p95 and the average under the threshold.
        for (var i = 0; i < 150; i++)
        {
            await Tenants.SearchAsync(client, question);
        }
        await fx.FlushRecordsAsync();
        var third = await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(alert.Id, Assert.Single(third.Resolved).Id);
        Assert.Empty(third.Raised);
        Assert.Empty((await ListAsync(client, "/v1/alerts?open=true")).EnumerateArray());
        var resolved = Assert.Single((await ListAsync(client, "/v1/alerts")).EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
        // The webhook that heard of the alert hears it closed, once, signed like the opening.
        var closing = fx.Posts.ToList()[2..];
        var (closingBody, closingSignature, closingStatus) = Assert.Single(closing);
        Assert.Equal(200, closingStatus);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(MonitoringFixture.WebhookSecret), closingBody)), closingSignature);
        var closed = JsonSerializer.Deserialize<JsonElement>(closingBody);
        Assert.Equal(alert.Id, closed.GetProperty("id").GetGuid());
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("resolvedAt").ValueKind);
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(3, fx.Posts.Count);
    }

    [Fact]
    public async Task A_server_skips_the_check_while_another_process_leads_the_monitor()
    {
        var monitor = fx.App.Services.GetRequiredService<LatencyMonitorService>();
        // Another server process: its own pool, holding the monitor's lock.
        await using var otherProcess = NpgsqlDataSource.Create(fx.ConnectionString);
        await using (var leader = await otherProcess.TryLeadAsync(SingletonJob.LatencyMonitor, TenantScope.Platform, CancellationToken.None))
        {
            Assert.NotNull(leader);
            var skipped = await monitor.CheckOnceAsync(CancellationToken.None);
            Assert.False(skipped.Led);
            Assert.Empty(skipped.Raised);
            Assert.Empty(skipped.Resolved);
        }
        // Let go, the lock is free again for whoever ticks next.
        await using var next = await otherProcess.TryLeadAsync(SingletonJob.LatencyMonitor, TenantScope.Platform, CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task A_turn_search_cut_off_by_its_budget_is_still_recorded_with_the_time_it_ran()
    {
        var (account, client) = await fx.NewTenantAsync("Cut-off Bistro");
        await Tenants.SeedAsync(client);
        var call = await Tenants.StartCallAsync(client);
        await Tenants.TurnAsync(client, call, "Warm-up: is there parking nearby?"); // loads the model
        await fx.FlushRecordsAsync();
        var before = await CountRecordsAsync(account, "cut-off");

        await using (var superuser = new NpgsqlConnection(fx.Server.Superuser(fx.ConnectionString)))
        {
            await superuser.OpenAsync();
            await using var tx = await superuser.BeginTransactionAsync();
            await using (var lockCmd = new NpgsqlCommand("LOCK TABLE knowledge_chunks IN ACCESS EXCLUSIVE MODE", superuser, tx))
            {
                await lockCmd.ExecuteNonQueryAsync();
            }
            var turn = await Tenants.TurnAsync(client, call, Tenants.Unique("How much is corkage?", account));
            Assert.Contains("search", turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
            await tx.RollbackAsync();
        }
        await fx.FlushRecordsAsync();

        Assert.Equal(before + 1, await CountRecordsAsync(account, "cut-off"));
        var rag = await client.GetFromJsonAsync<JsonElement>("/v1/metrics/rag?window=15m");
        // The budget is 100 ms: the cut-off search ran at least that long, and the window's maximum shows it.
        Assert.True(rag.GetProperty("p99SearchMs").GetDouble() >= 90, rag.ToString());
    }

    private async Task<long> CountRecordsAsync(Guid account, string strategy)
    {
        await using var ds = NpgsqlDataSource.Create(fx.Server.Superuser(fx.ConnectionString));
        await using var cmd = ds.CreateCommand("SELECT count(*) FROM search_records WHERE account_id = $1 AND strategy = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        cmd.Parameters.Add(new NpgsqlParameter { Value = strategy });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
    }

    [GeneratedRegex(@"^RAG search latency: \d+ ms$")]
    private static partial Regex LatencyMessage();
}
