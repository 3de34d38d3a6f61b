using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Bench;
using Parley.Calls.CallLog;
using Parley.Cli;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Bench;

public sealed class LoadBenchmarkTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_short_load_run_answers_every_turn_and_reports_the_servers_own_stage_timings()
    {
        var a = await api.NewTenantAsync();
        await Faults.FaultCluster.UploadDemoAsync(a.Client, 4);
        var agent = (await (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Bench", topK = 3 })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var result = await new LoadBenchmark(a.Client, agent, new LoadOptions(3, TimeSpan.FromSeconds(2), 2, TimeSpan.Zero, Speak: false, Unique: true)).RunAsync(null, CancellationToken.None);

        Assert.Equal(0, result.Errors);
        Assert.True(result.Turns >= 3, $"{result.Turns} turns");
        Assert.True(result.CallsCompleted >= 1);
        Assert.InRange(result.TurnsPerSecond, 0.1, 10_000);
        Assert.True(result.Stages["totalMs"].P50Ms > 0);
        Assert.True(result.EndToEndMs.P50Ms >= result.Stages["totalMs"].P50Ms * 0.5);
        Assert.Equal(result.Turns, result.EndToEndMs.Count);
        // Every turn the benchmark counted is a real turn of the server, logged in the database.
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM call_turns WHERE account_id = $1");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = a.Id });
        Assert.Equal((long)result.Turns, await cmd.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("ftp://127.0.0.1")]
    public async Task Bench_load_refuses_a_server_that_is_not_on_loopback(string url) =>
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["bench", "load", "--url", url, "--key", "k", "--agent", Guid.NewGuid().ToString()]));
}
