using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Calls;
using Parley.Calls.CallLog;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Parley.IntegrationTests.Transactional;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.IntegrationTests.Calls;

public sealed class DeadLetterTests(ApiFixture api) : IClassFixture<ApiFixture>, IDisposable
{
    private readonly string _spool = Directory.CreateTempSubdirectory("parley-deadletter-").FullName;

    /// <summary>A call-log writer of the test's own, not started, so that everything queued before it starts is one batch.</summary>
    private CallLogWriter NewWriter()
    {
        var sp = api.App.Services;
        return new CallLogWriter(sp.GetRequiredService<CallLogStore>(), Options.Create(new CallOptions { SpoolPath = _spool }),
            sp.GetRequiredService<IOptions<DatabaseOptions>>(), sp.GetRequiredService<DeadLetterStore>(), sp.GetRequiredService<DataMetrics>(),
            sp.GetRequiredService<IMeterFactory>(), TimeProvider.System, sp.GetRequiredService<ILogger<CallLogWriter>>());
    }

    private async Task<(Guid Account, Guid Call, HttpClient Client)> CallAsync()
    {
        var a = await api.NewTenantAsync("Dead letters");
        var agent = (await (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Log" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = (await (await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (a.Id, call, a.Client);
    }

    [Fact]
    public async Task Records_the_database_refuses_are_set_aside_with_their_error_and_the_rest_of_their_batch_is_written()
    {
        var (account, call, client) = await CallAsync();
        var id = new AccountId(account);
        var now = DateTimeOffset.UtcNow;
        CallTurn Turn(int ordinal, string transcript, Guid? callId = null) => new()
        {
            AccountId = id, Id = Guid.CreateVersion7(), CallId = callId ?? call, Ordinal = ordinal, Transcript = transcript, Answer = "a", CreatedAt = now,
        };
        var good = Enumerable.Range(0, 40).Select(i => Turn(i, $"question {i}")).ToList();
        var nul = Turn(100, "a NUL \u0000 in the middle");
        var orphan = Turn(101, "a turn of a call that does not exist", Guid.CreateVersion7());
        var usage = new UsageRecord { AccountId = id, Id = Guid.CreateVersion7(), Kind = BillingService.LlmTokens, Quantity = 7, OccurredAt = now, CallId = call };

        var meters = api.App.Services.GetRequiredService<IMeterFactory>();
        using var setAside = new MetricCollector<long>(meters, DataMetrics.MeterName, "parley.deadletter.records");
        using var splits = new MetricCollector<long>(meters, DataMetrics.MeterName, "parley.writer.batch.splits");
        var writer = NewWriter();
        // The two bad ones in the middle of one batch of 43, queued before the writer starts.
        foreach (var t in good.Take(20).Append(nul).Concat(good.Skip(20)).Append(orphan))
        {
            writer.Enqueue(t, t == good[0] ? [usage] : []);
        }
        await writer.StartAsync(CancellationToken.None);
        using (var flush = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await writer.FlushAsync(flush.Token);
        }
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(2, writer.SetAside);
        Assert.Equal(0, writer.Dropped);
        Assert.True(splits.GetMeasurementSnapshot().Count > 0, "the batch was never split: the test did not test the bisection");
        Assert.Equal(2, setAside.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(setAside.GetMeasurementSnapshot(), m => Assert.Equal(CallLogWriter.TurnKind, m.Tags["parley.record.kind"]));

        await using var su = api.CreateSuperuserDataSource();
        await using (var cmd = su.CreateCommand("SELECT count(*), (SELECT count(*) FROM usage_records WHERE call_id = $1) FROM call_turns WHERE call_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = call });
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(40L, reader.GetInt64(0));
            Assert.Equal(1L, reader.GetInt64(1));
        }
        var letters = new Dictionary<Guid, (string Kind, string Payload, string Error, string? State)>();
        await using (var cmd = su.CreateCommand("SELECT id, kind, payload, error, sql_state FROM dead_letters WHERE account_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = account });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                letters[reader.GetGuid(0)] = (reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4));
            }
        }
        Assert.Equal(new[] { nul.Id, orphan.Id }.Order(), letters.Keys.Order());
        Assert.Equal("22021", letters[nul.Id].State);
        Assert.Equal("23503", letters[orphan.Id].State);
        Assert.Contains("0x00", letters[nul.Id].Error, StringComparison.Ordinal);
        // The payload is the record itself, escapes kept: it can be mended and replayed.
        var payload = JsonDocument.Parse(letters[nul.Id].Payload).RootElement.GetProperty("turn");
        Assert.Equal(nul.Id, payload.GetProperty("id").GetGuid());
        Assert.Equal(nul.Transcript, payload.GetProperty("transcript").GetString());

        // The platform admin sees them in the database report, next to the writers of the server.
        var report = await api.Admin.GetFromJsonAsync<JsonElement>("/v1/metrics/database");
        var dead = report.GetProperty("deadLetters");
        Assert.True(dead.GetProperty("total").GetInt64() >= 2);
        Assert.Contains(dead.GetProperty("kinds").EnumerateArray(), k => k.GetProperty("kind").GetString() == CallLogWriter.TurnKind && k.GetProperty("count").GetInt64() >= 2);
        Assert.Contains(dead.GetProperty("recent").EnumerateArray(), e => e.GetProperty("id").GetGuid() == nul.Id && e.GetProperty("sqlState").GetString() == "22021");
        Assert.Contains(report.GetProperty("writers").EnumerateArray(), w => w.GetProperty("name").GetString() == "call_log");

        // The tenant cannot read the dead-letter table of anyone but itself (row-level security), as for every tenant table.
        await using (var cmd = su.CreateCommand("SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname = 'dead_letters'"))
        {
            Assert.Equal(true, await cmd.ExecuteScalarAsync());
        }
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("/v1/metrics/database", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_record_set_aside_twice_is_kept_once()
    {
        var (account, call, _) = await CallAsync();
        var turn = new CallTurn { AccountId = new AccountId(account), Id = Guid.CreateVersion7(), CallId = call, Transcript = "\u0000", Answer = "a", CreatedAt = DateTimeOffset.UtcNow };
        foreach (var _ in new[] { 1, 2 })
        {
            var writer = NewWriter();
            writer.Enqueue(turn, []);
            await writer.StartAsync(CancellationToken.None);
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await writer.FlushAsync(flush.Token);
            await writer.StopAsync(CancellationToken.None);
        }
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM dead_letters WHERE account_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        Assert.Equal(1L, await cmd.ExecuteScalarAsync());
    }

    public void Dispose() => Directory.Delete(_spool, recursive: true);
}
