using System.Text.Json;
using Npgsql;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Bench;

/// <summary>
/// <c>parley bench vapi</c> as users run it: the benchmarks' executable starts a real server on the test
/// database, makes its tenant and a Vapi integration through the API, sends signed knowledge-base
/// requests over loopback, and removes the integration when done.
/// </summary>
public sealed class VapiBenchmarkTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_short_vapi_run_answers_every_signed_request_with_documents_and_reports_its_percentiles()
    {
        var home = Directory.CreateTempSubdirectory("parley-bench-vapi-").FullName;
        var server = ServerProcess.FindServerDll()
            ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        var json = Path.Combine(home, "vapi.json");
        var run = await BenchExecutable.RunAsync(
            ["vapi", "--requests", "40", "--concurrency", "4", "--json", json],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Parley"] = db.ConnectionString,
                ["PARLEY_HOME"] = home,
                ["PARLEY_SERVER_DLL"] = server,
            },
            TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.Err + run.Out);
        Assert.Contains("## Vapi knowledge base: 40 signed requests at concurrency 4", run.Out, StringComparison.Ordinal);

        var result = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement;
        // Every request was signed right: none refused, each answered with the demo knowledge base's passages.
        Assert.Equal(0, result.GetProperty("errors").GetInt32());
        Assert.Equal(40, result.GetProperty("answered").GetInt32());
        Assert.InRange(result.GetProperty("documentsPerAnswer").GetDouble(), 1, 3);
        var latency = result.GetProperty("latencyMs");
        Assert.Equal(40, latency.GetProperty("count").GetInt32());
        Assert.True(latency.GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(latency.GetProperty("p99Ms").GetDouble() >= latency.GetProperty("p50Ms").GetDouble());

        // The searches were the tenant's own, recorded by the server; the integration was removed at the end.
        var tenant = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(home, "bench-load.json"))).RootElement;
        var account = tenant.GetProperty("accountId").GetGuid();
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM integrations WHERE account_id = $1 AND kind = 'vapi'");
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }
}
