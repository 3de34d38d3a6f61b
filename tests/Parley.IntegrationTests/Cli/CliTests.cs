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

    private Task<Run> ParleyAsync(params string[] args) => ParleyAsync(new Dictionary<string, string?>(), args);

    private async Task<Run> ParleyAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
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
        foreach (var (k, v) in environment)
        {
            if (v is null)
            {
                start.Environment.Remove(k);
            }
            else
            {
                start.Environment[k] = v;
            }
        }
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
        Assert.True(again.ExitCode == 0, again.Err + again.Out);
        Assert.Contains("2 unchanged", again.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("search", "--account", "not-a-guid", "hello")]
    [InlineData("search", "--account", "0192f5a0-0000-7000-8000-000000000001", "--mode", "telepathy", "hello")]
    [InlineData("ingest", "--account", "0192f5a0-0000-7000-8000-000000000001", "/no/such/folder")]
    [InlineData("no-such-command")]
    public async Task Bad_input_exits_2_with_a_one_line_message(params string[] args)
    {
        var run = await ParleyAsync(args);
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Err}{run.Out}");
        // One line on stderr, naming the command, and nothing on stdout that a script would take for output.
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"stderr has {lines.Length} lines: {run.Err}");
        Assert.StartsWith("parley: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_url_in_PARLEY_DATABASE_URL_is_the_database_the_command_uses()
    {
        var (a, _, _) = await api.NewTenantAsync("cli-url");
        var folder = WriteFolder(("kayak.md", "# Kayaks\n\nKayaks can be hired at the boathouse from nine until six."));
        var b = new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString);
        var url = $"postgres://{Uri.EscapeDataString(b.Username!)}:{Uri.EscapeDataString(b.Password ?? "")}@{b.Host}:{b.Port}/{Uri.EscapeDataString(b.Database!)}";
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Parley"] = null, ["PARLEY_DATABASE_URL"] = url };

        var ingest = await ParleyAsync(env, "ingest", "--account", a.ToString(), folder);
        Assert.True(ingest.ExitCode == 0, ingest.Err + ingest.Out);
        var search = await ParleyAsync(env, "search", "--account", a.ToString(), "--json", "kayak hire");
        Assert.True(search.ExitCode == 0, search.Err);
        Assert.Contains("boathouse", JsonDocument.Parse(search.Out).RootElement.GetProperty("results")[0].GetProperty("content").GetString(), StringComparison.Ordinal);

        // A URL naming another database is used too, not quietly replaced: its absence is the error.
        var missing = await ParleyAsync(new Dictionary<string, string?> { ["ConnectionStrings__Parley"] = null, ["PARLEY_DATABASE_URL"] = url + "_absent" },
            "search", "--account", a.ToString(), "kayak hire");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("_absent", missing.Err, StringComparison.Ordinal);
    }
}
