using System.Text.Json;
using Npgsql;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// <c>parley bench load</c> as users run it: the benchmarks' executable starts a real server on the test
/// database, prepares its tenant through the API, drives it over loopback and stops it gracefully.
/// </summary>
public sealed class LoadBenchmarkTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_short_load_run_answers_every_turn_and_reports_the_servers_own_stage_timings()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-load-").FullName;
        var server = ServerProcess.FindServerDll()
            ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var json = Path.Combine(home, "load.json");
        var run = await BenchExecutable.RunAsync(
            // 5 s rather than the in-process test's 2: a server process of its own shares the 2 cores, and a
            // call counts as completed only if both its turns started in time.
            ["load", "--calls", "3", "--seconds", "5", "--turns", "2", "--no-speak", "--unique", "--json", json],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Parley"] = db.ConnectionString,
                ["PARLEY_HOME"] = home,
                ["PARLEY_SERVER_DLL"] = server,
            },
            TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("## Load: 3 concurrent calls", run.Out, StringComparison.Ordinal);

        var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        var turns = result.GetProperty("turns").GetInt32();
        Assert.Equal(0, result.GetProperty("errors").GetInt32());
        Assert.True(turns >= 3, $"{turns} turns");
        Assert.True(result.GetProperty("callsCompleted").GetInt32() >= 1);
        Assert.InRange(result.GetProperty("turnsPerSecond").GetDouble(), 0.1, 10_000);
        var totalP50 = result.GetProperty("stages").GetProperty("totalMs").GetProperty("p50Ms").GetDouble();
        Assert.True(totalP50 > 0);
        var endToEnd = result.GetProperty("endToEndMs");
        Assert.True(endToEnd.GetProperty("p50Ms").GetDouble() >= totalP50 * 0.5);
        Assert.Equal(turns, endToEnd.GetProperty("count").GetInt32());

        // Every turn the benchmark counted is a real turn of the server, logged in the database (the
        // server flushed its call log when the benchmark stopped it). The benchmark warms up with one
        // uncounted call first: the counted run's calls are the last ones its tenant started.
        var tenant = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(home, "bench-load.json"))).RootElement;
        var account = tenant.GetProperty("accountId").GetGuid();
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("""
            SELECT count(*) FROM call_turns
            WHERE account_id = $1
              AND call_id IN (SELECT id FROM calls WHERE account_id = $1 ORDER BY started_at DESC LIMIT $2)
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        cmd.Parameters.Add(new NpgsqlParameter { Value = result.GetProperty("callsStarted").GetInt32() });
        Assert.Equal((long)turns, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_streamed_load_run_reports_the_time_to_the_first_piece_and_the_first_audio()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-stream-").FullName;
        var server = ServerProcess.FindServerDll()
            ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var json = Path.Combine(home, "load.json");
        var run = await BenchExecutable.RunAsync(
            ["load", "--calls", "2", "--seconds", "5", "--turns", "2", "--stream", "--json", json],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Parley"] = db.ConnectionString,
                ["PARLEY_HOME"] = home,
                ["PARLEY_SERVER_DLL"] = server,
                // espeak-ng on two busy cores: room to speak each sentence, so that every turn has audio to time.
                ["Parley__Calls__TtsBudgetMs"] = "5000",
                ["Parley__Calls__EmbedBudgetMs"] = "5000",
            },
            TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("first audio (client, streamed)", run.Out, StringComparison.Ordinal);

        var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        var turns = result.GetProperty("turns").GetInt32();
        Assert.Equal(0, result.GetProperty("errors").GetInt32());
        Assert.True(turns >= 2, $"{turns} turns");
        var firstToken = result.GetProperty("firstTokenMs");
        var firstAudio = result.GetProperty("firstAudioMs");
        Assert.Equal(turns, firstToken.GetProperty("count").GetInt32());
        Assert.Equal(turns, firstAudio.GetProperty("count").GetInt32());
        Assert.True(firstToken.GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(firstAudio.GetProperty("p50Ms").GetDouble() >= firstToken.GetProperty("p50Ms").GetDouble());
        // Speech comes before the end of the turn the client waits for.
        Assert.True(firstAudio.GetProperty("p50Ms").GetDouble() <= result.GetProperty("endToEndMs").GetProperty("p99Ms").GetDouble());
    }

    [Fact]
    public async Task Calls_a_full_node_refuses_are_counted_apart_from_errors_and_the_bench_reports_its_own_cpu()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-refused-").FullName;
        var server = ServerProcess.FindServerDll()
            ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var json = Path.Combine(home, "load.json");
        // The server inherits the bench's environment: one active call at most, so of four lines three are refused.
        var run = await BenchExecutable.RunAsync(
            ["load", "--calls", "4", "--seconds", "5", "--turns", "2", "--no-speak", "--unique", "--json", json],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Parley"] = db.ConnectionString,
                ["PARLEY_HOME"] = home,
                ["PARLEY_SERVER_DLL"] = server,
                ["Parley__Calls__MaxActiveCalls"] = "1",
                ["Parley__Calls__MaxModelQueueWaitMs"] = "0",
                ["Parley__Calls__RetryAfterSeconds"] = "1",
            },
            TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("| refused calls (503, node full) |", run.Out, StringComparison.Ordinal);

        var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        Assert.Equal(0, result.GetProperty("errors").GetInt32());
        Assert.True(result.GetProperty("refusedCalls").GetInt32() >= 3, result.GetProperty("refusedCalls").ToString());
        Assert.True(result.GetProperty("turns").GetInt32() >= 1);
        Assert.True(result.GetProperty("benchCpuSeconds").GetDouble() > 0);
        Assert.InRange(result.GetProperty("benchCpuShare").GetDouble(), 0.0001, 1);
    }
}
