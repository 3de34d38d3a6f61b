using System.Text.Json;
using Parley.IntegrationTests.Knowledge;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// <c>parley bench turn --interim</c> as users run it, on the test database: the same calls with and without
/// interim transcripts, in two throwaway tenants, and the report of what the prefetch saved.
/// </summary>
public sealed class InterimBenchmarkTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact(Timeout = 600_000)]
    public async Task Bench_turn_interim_reports_the_hit_rate_and_the_search_saved_against_a_run_without_interims()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-interim-").FullName;
        try
        {
            var json = Path.Combine(home, "interim.json");
            var run = await BenchExecutable.RunAsync(
                ["turn", "--interim", "--turns", "10", "--concurrency", "2", "--no-speak", "--word-ms", "150", "--json", json,
                    "--knowledge", Path.Combine(KnowledgeApiTests.RepoRoot(), "demo", "knowledge")],
                new Dictionary<string, string> { ["ConnectionStrings__Parley"] = db.ConnectionString, ["PARLEY_HOME"] = home },
                TimeSpan.FromMinutes(8));
            Assert.True(run.ExitCode == 0, run.Err + run.Out);
            Assert.Contains("## Interim prefetch: 10 turns at concurrency 2, 150 ms a word", run.Out, StringComparison.Ordinal);
            Assert.Contains("| search | ", run.Out, StringComparison.Ordinal);
            Assert.Contains("Prefetch hits: ", run.Out, StringComparison.Ordinal);

            var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
            Assert.Equal(10, result.GetProperty("turns").GetInt32());
            // One to three distinct cuts per question (a three-word question has a single one).
            Assert.InRange(result.GetProperty("interimsSent").GetInt32(), 10, 30);
            Assert.True(result.GetProperty("interimsStarted").GetInt32() > 0, result.ToString());
            var uncached = result.GetProperty("uncachedTurns").GetInt32();
            Assert.InRange(uncached, 1, 10);
            var prefetched = result.GetProperty("prefetched").GetInt32();
            Assert.Equal(prefetched, result.GetProperty("exactHits").GetInt32() + result.GetProperty("similarHits").GetInt32());
            Assert.Equal(Math.Round(prefetched / (double)uncached, 4), result.GetProperty("hitRate").GetDouble());
            var with = result.GetProperty("withInterim");
            var without = result.GetProperty("withoutInterim");
            Assert.Equal(uncached, with.GetProperty("search").GetProperty("count").GetInt32());
            Assert.Equal(10, without.GetProperty("callerWait").GetProperty("count").GetInt32());
            // Without interims every uncached turn searched; with them the prefetch stage ran on every uncached turn.
            Assert.True(without.GetProperty("search").GetProperty("p50Ms").GetDouble() > 0, without.ToString());
            Assert.True(with.GetProperty("prefetch").GetProperty("p50Ms").GetDouble() > 0, with.ToString());
            Assert.Equal(0, without.GetProperty("prefetch").GetProperty("p99Ms").GetDouble());
            var saved = result.GetProperty("savedMs");
            Assert.Equal(
                Math.Round(without.GetProperty("search").GetProperty("p50Ms").GetDouble() - with.GetProperty("search").GetProperty("p50Ms").GetDouble(), 3),
                saved.GetProperty("searchP50").GetDouble(), 3);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
