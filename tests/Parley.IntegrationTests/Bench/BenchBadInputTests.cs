using Xunit;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// The benchmarks' executable refuses bad arguments with exit code 2 and one line, before touching a
/// database or a model.
/// </summary>
public sealed class BenchBadInputTests
{
    private static async Task AssertRefusedAsync(string[] args)
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-bad-").FullName;
        var run = await BenchExecutable.RunAsync(args, new Dictionary<string, string> { ["PARLEY_HOME"] = home },
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Err}{run.Out}");
        var line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("parley: ", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("turn", "--turns", "0")]
    [InlineData("turn", "--concurrency", "0")]
    [InlineData("turn", "--knowledge", "/nonexistent/folder")]
    [InlineData("turn", "--interim", "--stream")]
    [InlineData("turn", "--interim", "--word-ms", "20000")]
    [InlineData("turn", "--interim", "--cuts", "50,abc")]
    [InlineData("embed", "--queries", "1")]
    [InlineData("search", "--chunks", "5")]
    [InlineData("load", "--calls", "0")]
    [InlineData("vapi", "--requests", "0")]
    [InlineData("vapi", "--concurrency", "0")]
    [InlineData("nonsense")]
    public Task A_benchmark_with_bad_arguments_exits_2_with_one_line(params string[] args) => AssertRefusedAsync(args);

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("ftp://127.0.0.1")]
    public Task Bench_load_refuses_a_server_that_is_not_on_loopback(string url) =>
        AssertRefusedAsync(["load", "--url", url, "--key", "k", "--agent", Guid.NewGuid().ToString()]);

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("ftp://127.0.0.1")]
    public Task Bench_vapi_refuses_a_server_that_is_not_on_loopback(string url) => AssertRefusedAsync(["vapi", "--url", url, "--key", "k"]);
}
