using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// <c>parley bench followups</c> as users run it: a real server on the test database per mode (rewrite on,
/// then off), tenants made through the API over the demo knowledge and a Debian Reference slice, the
/// dialogues played as calls.
/// </summary>
public sealed class FollowUpBenchmarkTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_short_run_reports_follow_up_hit_at_3_with_and_without_the_rewrite_and_the_rewrite_helps()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-followups-").FullName;
        var server = ServerProcess.FindServerDll()
            ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var json = Path.Combine(home, "followups.json");
        // Four dialogues taken in turn from the two sets: two over the demo knowledge, two over chapter 2 of the Debian Reference.
        var run = await BenchExecutable.RunAsync(
            ["followups", "--dialogues", "4", "--json", json],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Parley"] = db.ConnectionString,
                ["PARLEY_HOME"] = home,
                ["PARLEY_SERVER_DLL"] = server,
            },
            TimeSpan.FromMinutes(8));
        Assert.True(run.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("## Follow-ups: 4 two-turn dialogues", run.Out, StringComparison.Ordinal);
        Assert.Contains("| hit@3 with rewrite | hit@3 without rewrite |", run.Out, StringComparison.Ordinal);
        Assert.Contains("Rewrite stage (timings.rewriteMs", run.Out, StringComparison.Ordinal);

        var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        Assert.Equal(4, result.GetProperty("dialogues").GetInt32());
        Assert.Equal(2, result.GetProperty("corpora").GetProperty("demo").GetInt32());
        Assert.Equal(2, result.GetProperty("corpora").GetProperty("debianReference").GetInt32());
        Assert.True(result.GetProperty("documents").GetProperty("debianReference").GetInt32() > 50, result.GetProperty("documents").ToString());
        var with = result.GetProperty("withRewrite");
        var without = result.GetProperty("withoutRewrite");
        Assert.Equal(4, with.GetProperty("followUps").GetInt32());
        Assert.Equal(4, without.GetProperty("followUps").GetInt32());
        Assert.True(with.GetProperty("hitAt3").GetDouble() >= without.GetProperty("hitAt3").GetDouble(), result.ToString());
        Assert.True(with.GetProperty("hitAt3").GetDouble() > 0, result.ToString());
        // Every follow-up of these four leans on its first turn; the rewrite ran on all eight turns and timed itself.
        Assert.Equal(4, result.GetProperty("rewrittenFollowUps").GetInt32());
        var rewriteMs = result.GetProperty("rewriteMs");
        Assert.Equal(8, rewriteMs.GetProperty("count").GetInt32());
        Assert.True(rewriteMs.GetProperty("p99Ms").GetDouble() > 0, rewriteMs.ToString());
    }
}
