using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Calls;
using Parley.Calls.CallLog;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Parley.Testing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>One server whose logs are collected, so a test can see the call-log writer retry.</summary>
public sealed class CallLogOutageFixture : DatabaseFixture
{
    public string SpoolRoot { get; } = Directory.CreateTempSubdirectory("parley-outage-").FullName;

    public ParleyAppFactory App { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Calls:SearchBudgetMs"] = "3000",
            ["Parley:Calls:LlmBudgetMs"] = "3000",
            ["Parley:Calls:TurnBudgetMs"] = "10000",
            ["Parley:Calls:CallLogCapacity"] = "100",
            ["Parley:Calls:SpoolPath"] = SpoolRoot,
        }, services => services.AddLogging(b => b.AddFakeLogging()));
        _ = App.Server;
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(SpoolRoot, recursive: true);
        await base.DisposeAsync();
    }
}

/// <summary>
/// The call-log writer while the database is away or slow: a turn answered before the database dropped
/// out is retried until it is back and written once; records that fit nowhere are dropped and counted;
/// a stop writes what is queued; a backlog takes the node out of readiness.
/// </summary>
public sealed class CallLogOutageTests(CallLogOutageFixture fx) : IClassFixture<CallLogOutageFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Admin()
    {
        var client = fx.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        return client;
    }

    private async Task<(AccountId Account, HttpClient Client, Guid Agent, Guid Call)> CallAsync()
    {
        var account = await (await Admin().PostAsJsonAsync("/v1/accounts", new { name = "Outage" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = fx.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
        var agent = await CallTests.SetUpAsync(client);
        return (new AccountId(account.GetProperty("account").GetProperty("id").GetGuid()), client, agent, await CallTests.StartCallAsync(client, agent));
    }

    private async Task<long> StoredAsync(Guid call, IReadOnlyCollection<Guid>? ids = null)
    {
        await using var su = fx.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM call_turns WHERE call_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2))");
        cmd.Parameters.Add(new NpgsqlParameter { Value = call });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids?.ToArray() ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Uuid });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Holds every INSERT into call_turns back (plain reads pass) until disposed.</summary>
    private async Task<NpgsqlTransaction> LockTurnsAsync(NpgsqlConnection connection)
    {
        var tx = await connection.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("LOCK TABLE call_turns IN EXCLUSIVE MODE", connection, tx);
        await cmd.ExecuteNonQueryAsync();
        return tx;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"not within {Deadline.TotalSeconds} s: {what}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private static CallTurn Turn(AccountId account, Guid call, int ordinal) =>
        new() { AccountId = account, Id = Guid.CreateVersion7(), CallId = call, Ordinal = ordinal, Transcript = $"q{ordinal}", Answer = "a", CreatedAt = DateTimeOffset.UtcNow };

    private CallLogWriter NewWriter(ILogger<CallLogWriter> logger)
    {
        var sp = fx.App.Services;
        return new CallLogWriter(sp.GetRequiredService<CallLogStore>(), Options.Create(new CallOptions { Spool = false, CallLogCapacity = 100 }),
            sp.GetRequiredService<IOptions<DatabaseOptions>>(), sp.GetRequiredService<DeadLetterStore>(), sp.GetRequiredService<DataMetrics>(),
            sp.GetRequiredService<IMeterFactory>(), TimeProvider.System, logger);
    }

    [Fact(Timeout = 240_000)]
    public async Task Turns_answered_before_the_database_drops_out_are_retried_until_it_is_back_and_each_is_written_once()
    {
        var (_, client, _, call) = await CallAsync();
        var writer = fx.App.Services.GetRequiredService<CallLogWriter>();
        var logs = fx.App.Services.GetFakeLogCollector();
        var database = new NpgsqlConnectionStringBuilder(fx.ConnectionString).Database!;
        await using var postgres = NpgsqlDataSource.Create(fx.Server.Info.SuperuserConnectionString("postgres"));
        await using var su = fx.CreateSuperuserDataSource();
        var answered = new List<Guid>();
        int RetriesLogged() => logs.GetSnapshot().Count(r => r.Category == typeof(CallLogWriter).FullName && r.Message.StartsWith("Call-log write failed", StringComparison.Ordinal));
        try
        {
            // Answered while the turns' table is locked: the records are queued, none written.
            await using (var locker = await su.OpenConnectionAsync())
            {
                await using var tx = await LockTurnsAsync(locker);
                for (var i = 0; i < 5; i++)
                {
                    var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = $"Is there parking? ({i})" });
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    answered.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                }
                Assert.True(writer.Backlog >= answered.Count, $"backlog {writer.Backlog}");
                var before = RetriesLogged();
                // Then the database goes: no new connections, and every open one (the writer's blocked INSERT, this lock) ended.
                await using var cut = postgres.CreateCommand(
                    $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
                await cut.ExecuteNonQueryAsync();
                await WaitForAsync(() => Task.FromResult(RetriesLogged() >= before + 3), "the writer retried its batch three times");
            }
            Assert.True(writer.Backlog >= answered.Count, $"records left the backlog while the database was away: {writer.Backlog}");
            Assert.Equal(0, writer.Dropped);
        }
        finally
        {
            await using var back = postgres.CreateCommand($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
            await back.ExecuteNonQueryAsync();
        }
        using (var flush = new CancellationTokenSource(Deadline))
        {
            await writer.FlushAsync(flush.Token);
        }
        Assert.Equal(answered.Count, await StoredAsync(call, answered));
        Assert.Equal(answered.Count, await StoredAsync(call));
        Assert.Equal(0, writer.Dropped);
        // Every backend was terminated: idle connections of the pools the writer's retries did not go
        // through (since the owner's pool does the writer's platform-wide writes: the tenant pools) are
        // still dead, and would each fail one request of the next test with a 503.
        foreach (var key in new[] { DataSourceKeys.Transactional, DataSourceKeys.Vector, DataSourceKeys.Platform })
        {
            fx.App.Services.GetRequiredKeyedService<NpgsqlDataSource>(key).Clear();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Without_a_spool_records_beyond_the_queue_are_dropped_and_counted_and_the_rest_are_written()
    {
        var (account, _, _, call) = await CallAsync();
        var writer = NewWriter(new FakeLogger<CallLogWriter>());
        for (var i = 0; i < 130; i++)
        {
            writer.Enqueue(Turn(account, call, i), []);
        }
        Assert.Equal(30, writer.Dropped);
        Assert.Equal(100, writer.Backlog);

        await writer.StartAsync(CancellationToken.None);
        using (var flush = new CancellationTokenSource(Deadline))
        {
            await writer.FlushAsync(flush.Token);
        }
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(100L, await StoredAsync(call));
        Assert.Equal(30, writer.Dropped);
    }

    [Fact(Timeout = 120_000)]
    public async Task Stopping_writes_what_is_queued_and_a_stop_that_runs_out_of_time_says_how_many_records_it_left()
    {
        var (account, _, _, call) = await CallAsync();
        await using var su = fx.CreateSuperuserDataSource();
        var logger = new FakeLogger<CallLogWriter>();

        // The records are still queued when the stop begins (the table is locked); the stop waits for them.
        var writer = NewWriter(logger);
        await writer.StartAsync(CancellationToken.None);
        Task stopping;
        await using (var locker = await su.OpenConnectionAsync())
        {
            await using var tx = await LockTurnsAsync(locker);
            for (var i = 0; i < 20; i++)
            {
                writer.Enqueue(Turn(account, call, i), []);
            }
            using var shutdown = new CancellationTokenSource(Deadline);
            stopping = writer.StopAsync(shutdown.Token);
            Assert.False(stopping.IsCompleted, "the stop did not wait for the queued records");
            await tx.RollbackAsync();
            await stopping.WaitAsync(Deadline);
        }
        Assert.Equal(20L, await StoredAsync(call));

        // A shutdown whose time runs out with the table still locked returns, and says what it left unwritten.
        var late = NewWriter(logger);
        await late.StartAsync(CancellationToken.None);
        await using (var locker = await su.OpenConnectionAsync())
        {
            await using var tx = await LockTurnsAsync(locker);
            for (var i = 20; i < 25; i++)
            {
                late.Enqueue(Turn(account, call, i), []);
            }
            using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await late.StopAsync(shutdown.Token).WaitAsync(Deadline);
            // Its loop has given up the blocked INSERT before the lock goes, so nothing lands late.
            await late.ExecuteTask!.WaitAsync(Deadline);
            await tx.RollbackAsync();
        }
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message == "Shutdown ended with 5 call-log records unwritten; the spool (when on) keeps them for the next start");
        Assert.Equal(20L, await StoredAsync(call));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_backlog_near_the_bound_takes_the_node_out_of_readiness_until_it_is_written()
    {
        var (account, _, _, call) = await CallAsync();
        var writer = fx.App.Services.GetRequiredService<CallLogWriter>();
        using var probe = fx.App.CreateClient();
        async Task<(HttpStatusCode Code, string? Backlog)> ReadyAsync()
        {
            var ready = await probe.GetAsync("/health/ready");
            var checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
            return (ready.StatusCode, checks["call-log-backlog"]);
        }
        using (var flush = new CancellationTokenSource(Deadline))
        {
            await writer.FlushAsync(flush.Token);
        }
        Assert.Equal((HttpStatusCode.OK, "healthy"), await ReadyAsync());

        await using var su = fx.CreateSuperuserDataSource();
        await using (var locker = await su.OpenConnectionAsync())
        {
            await using var tx = await LockTurnsAsync(locker);
            for (var i = 0; i < 60; i++)
            {
                writer.Enqueue(Turn(account, call, i), []);
            }
            // Half the bound: still taking traffic, but reported.
            Assert.Equal((HttpStatusCode.OK, "degraded"), await ReadyAsync());
            for (var i = 60; i < 95; i++)
            {
                writer.Enqueue(Turn(account, call, i), []);
            }
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "unhealthy"), await ReadyAsync());
            await tx.RollbackAsync();
        }
        await WaitForAsync(async () => (await ReadyAsync()).Code == HttpStatusCode.OK, "ready again once the backlog is written");
        Assert.Equal(95L, await StoredAsync(call));
    }
}
