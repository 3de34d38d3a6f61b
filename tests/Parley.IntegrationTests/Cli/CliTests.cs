using System.Diagnostics;
using System.Text.Json;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Cli;

/// <summary>
/// The <c>parley</c> command as users run it: a real child process on the test database, so exit codes,
/// standard output and the tenant boundary are what a shell script would see.
/// </summary>
public sealed class CliTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private sealed record Run(int ExitCode, string Out, string Err);

    private async Task<Run> ParleyAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parley.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["ConnectionStrings__Parley"] = api.ConnectionString;
        start.Environment["PARLEY_HOME"] = Path.Combine(Path.GetTempPath(), "parley-cli-test-home");
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    private static string WriteFolder(params (string Name, string Text)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("parley-cli-").FullName;
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(dir, name), text);
        }
        return dir;
    }

    [Fact]
    public async Task Ingest_then_search_finds_the_tenants_own_text_and_another_tenant_finds_nothing()
    {
        var (a, _, _) = await api.NewTenantAsync("cli-a");
        var (b, _, _) = await api.NewTenantAsync("cli-b");
        var folder = WriteFolder(
            ("lighthouse.md", "# Lighthouse tours\n\nThe lighthouse tour leaves the harbour pier every day at ten and costs twelve euros."),
            ("ferry.txt", "The ferry to the island runs hourly from seven in the morning until nine at night."));

        var ingest = await ParleyAsync("ingest", "--account", a.ToString(), folder);
        Assert.True(ingest.ExitCode == 0, ingest.Err + ingest.Out);
        Assert.Contains("2 documents", ingest.Out, StringComparison.Ordinal);

        var own = await ParleyAsync("search", "--account", a.ToString(), "--json", "--top", "3", "when does the lighthouse tour leave");
        Assert.True(own.ExitCode == 0, own.Err);
        var results = JsonDocument.Parse(own.Out).RootElement.GetProperty("results");
        Assert.Contains("lighthouse tour", results[0].GetProperty("content").GetString(), StringComparison.OrdinalIgnoreCase);

        var other = await ParleyAsync("search", "--account", b.ToString(), "--json", "--mode", "hybrid", "lighthouse tour");
        Assert.True(other.ExitCode == 0, other.Err);
        Assert.Equal(0, JsonDocument.Parse(other.Out).RootElement.GetProperty("results").GetArrayLength());

        var again = await ParleyAsync("ingest", "--account", a.ToString(), folder);
        Assert.Contains("2 unchanged", again.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("search", "--account", "not-a-guid", "hello")]
    [InlineData("search", "--account", "0192f5a0-0000-7000-8000-000000000001", "--mode", "telepathy", "hello")]
    [InlineData("ingest", "--account", "0192f5a0-0000-7000-8000-000000000001", "/no/such/folder")]
    [InlineData("no-such-command")]
    public async Task Bad_input_exits_non_zero_with_a_one_line_message(params string[] args)
    {
        var run = await ParleyAsync(args);
        Assert.NotEqual(0, run.ExitCode);
        var message = (run.Err + run.Out).Trim();
        Assert.False(string.IsNullOrEmpty(message));
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }
}
