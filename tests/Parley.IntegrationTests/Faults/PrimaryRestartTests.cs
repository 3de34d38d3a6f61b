using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Calls.CallLog;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Faults;

[Collection(FaultCollection.Name)]
public sealed class PrimaryRestartTests(FaultCluster faults)
{
    private sealed record Outcome(string Kind, HttpStatusCode Status, Guid? TurnId);

    [Fact]
    public async Task Every_accepted_turn_is_stored_after_the_primary_crashes_and_restarts_under_load_and_the_server_recovers_by_itself()
    {
        await using var app = new ParleyAppFactory(faults.ConnectionString);
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var (_, client) = await FaultCluster.NewTenantAsync(admin, app.CreateClient, "Primary restart");
        await FaultCluster.UploadDemoAsync(client, 6);
        var agent = (await (await client.PostAsJsonAsync("/v1/agents", new { name = "Receptionist", topK = 3, minSimilarity = 0.25 }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var calls = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var call = await client.PostAsJsonAsync("/v1/calls", new { agentId = agent });
            calls.Add((await call.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }
        string[] questions = ["Is there parking?", "When do you open on Sunday?", "Can I book a table for eight?", "Do you have a kids menu?", "Is brunch served on Saturday?"];
        (await client.PostAsJsonAsync($"/v1/calls/{calls[0]}/turns?speak=false", new { transcript = "warm up" })).EnsureSuccessStatusCode();

        var outcomes = new ConcurrentQueue<Outcome>();
        using var stop = new CancellationTokenSource();
        async Task TurnsAsync(Guid call)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                // A fresh question each time: the semantic answer cache would otherwise spare the database.
                var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = $"{questions[n % questions.Length]} ({n})" });
                Guid? id = response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid() : null;
                outcomes.Enqueue(new Outcome("turn", response.StatusCode, id));
            }
        }
        async Task SearchesAsync()
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var response = await client.PostAsJsonAsync("/v1/knowledge/search", new { query = questions[n % questions.Length], topK = 3 });
                outcomes.Enqueue(new Outcome("search", response.StatusCode, null));
            }
        }
        var load = calls.Select(TurnsAsync).Append(SearchesAsync()).Append(SearchesAsync()).ToList();

        // No fixed sleeps and no clock bounds: each phase waits for what it needs to see, by a deadline.
        async Task WaitForAsync(Func<List<Outcome>, bool> seen, string what)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!seen([.. outcomes]))
            {
                Assert.False(deadline.IsCancellationRequested, $"not within 90 s: {what}");
                Assert.False(load.Any(l => l.IsFaulted), "a load loop failed");
                await Task.Delay(20, CancellationToken.None);
            }
        }
        await WaitForAsync(o => o.Count(x => x.Kind == "turn" && x.Status == HttpStatusCode.OK) >= 8, "turns answered before the crash");
        var beforeCrash = outcomes.Count;
        await faults.Cluster.StopPrimaryAsync(immediate: true, CancellationToken.None);
        await WaitForAsync(o => o.Skip(beforeCrash).Any(x => x.Status != HttpStatusCode.OK), "the outage felt by a request");
        await faults.Cluster.EnsureStartedAsync(CancellationToken.None);
        var afterRestart = outcomes.Count;
        // Recovered by itself: a long run of answers of both kinds after the restart, none failing among them.
        static bool Recovered(List<Outcome> o, int from, string kind)
        {
            var tail = o.Skip(from).Where(x => x.Kind == kind).Reverse().TakeWhile(x => x.Status == HttpStatusCode.OK).Count();
            return tail >= 12;
        }
        await WaitForAsync(o => Recovered(o, afterRestart, "turn") && Recovered(o, afterRestart, "search"), "12 turns and 12 searches in a row answered after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var all = outcomes.ToList();
        var failed = all.Where(o => o.Status != HttpStatusCode.OK).ToList();
        Assert.True(failed.Count > 0, "the outage was never felt: the test did not test anything");
        // While the database is away the API says so, with a retry hint, instead of failing with a 500.
        Assert.All(failed, o => Assert.Equal(HttpStatusCode.ServiceUnavailable, o.Status));
        // Nothing failed before the crash.
        Assert.All(all.Take(beforeCrash), o => Assert.Equal(HttpStatusCode.OK, o.Status));

        // Every turn the API accepted reaches the database, those queued across the outage included.
        var accepted = all.Where(o => o.TurnId is not null).Select(o => o.TurnId!.Value).ToArray();
        using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.Services.GetRequiredService<CallLogWriter>().FlushAsync(flush.Token);
        await using var su = faults.Own.Superuser();
        await using var count = su.CreateCommand("SELECT count(*) FROM call_turns WHERE id = ANY($1)");
        count.Parameters.Add(new NpgsqlParameter { Value = accepted });
        Assert.Equal((long)accepted.Length, await count.ExecuteScalarAsync());
        Assert.True(accepted.Length > 4, $"{accepted.Length} turns accepted");

        // The same server process, never restarted, serves normally again.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/v1/calls/{calls[i]}/turns?speak=false", new { transcript = $"After the restart {i}" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/knowledge/search", new { query = "parking", topK = 3 })).StatusCode);
        }
    }
}
