using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Monitoring.Alerts;
using Parley.Monitoring.Records;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

/// <summary>A database of its own for <see cref="MonitorClockTests"/>: its search records are the only ones.</summary>
public sealed class MonitorClockFixture : DatabaseFixture;

/// <summary>
/// The monitor's window and retention are spans of the server's clock: a fake one (Microsoft's
/// FakeTimeProvider, registered as the server's TimeProvider) moves minutes and days in a test that
/// takes a second, and shows the window slides with the clock rather than with wall time.
/// </summary>
public sealed class MonitorClockTests(MonitorClockFixture db) : IClassFixture<MonitorClockFixture>
{
    [Fact]
    public async Task A_slow_spell_raises_an_alert_that_resolves_when_the_clock_moves_past_the_window_and_is_pruned_after_retention()
    {
        // Whole seconds: the database keeps microseconds, and the times it returns are compared with the clock's.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var app = new ParleyAppFactory(db.ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Monitor:Enabled"] = "false",
            ["Parley:Monitor:ThresholdMs"] = "200",
            ["Parley:Monitor:MinSearches"] = "5",
            ["Parley:Monitor:Window"] = "5m",
            ["Parley:Monitor:RetentionHours"] = "48",
        }, services => services.AddSingleton<TimeProvider>(clock));
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var created = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Clockwork Café" })).Content.ReadFromJsonAsync<JsonElement>();
        var account = new AccountId(created.GetProperty("account").GetProperty("id").GetGuid());
        var recorder = app.Services.GetRequiredService<SearchRecorder>();
        var monitor = app.Services.GetRequiredService<LatencyMonitorService>();

        // Six searches of 900 ms, recorded at the clock's now.
        for (var i = 0; i < 6; i++)
        {
            recorder.Searched(account, new SearchObservation(900, 1, 901, true, "exact", 3));
        }
        await WrittenAsync(recorder);

        var raised = await monitor.CheckOnceAsync(CancellationToken.None);
        var alert = Assert.Single(raised.Raised, a => a.AccountId == account.Value);
        Assert.Equal(clock.GetUtcNow(), alert.RaisedAt);

        // Four minutes on, the spell is still inside the five-minute window: the alert stays open.
        clock.Advance(TimeSpan.FromMinutes(4));
        var inside = await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(inside.Resolved, a => a.AccountId == account.Value);
        Assert.DoesNotContain(inside.Raised, a => a.AccountId == account.Value);

        // Two more and it has left the window: resolved at the clock's time, though no search came since.
        clock.Advance(TimeSpan.FromMinutes(2));
        var after = await monitor.CheckOnceAsync(CancellationToken.None);
        var resolved = Assert.Single(after.Resolved, a => a.AccountId == account.Value);
        Assert.Equal(alert.Id, resolved.Id);
        Assert.Equal(clock.GetUtcNow(), resolved.ResolvedAt);
        Assert.Equal(0, after.Pruned);

        // Past the retention the records are deleted.
        clock.Advance(TimeSpan.FromHours(48));
        var pruned = await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(6, pruned.Pruned);
        await using var superuser = db.CreateSuperuserDataSource();
        await using var count = superuser.CreateCommand("SELECT count(*) FROM search_records");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    // The writer's own flush waits on the server's clock, which this test holds still: wait on its backlog in real time instead.
    private static async Task WrittenAsync(SearchRecorder recorder)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.Backlog > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{recorder.Backlog} search records still unwritten after 30 s");
            await Task.Delay(20);
        }
    }
}
