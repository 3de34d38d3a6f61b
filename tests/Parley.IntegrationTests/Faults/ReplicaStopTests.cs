using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Faults;

[Collection(FaultCollection.Name)]
public sealed class ReplicaStopTests(FaultCluster faults)
{
    private async Task<long> ScalarAsync(int port, string sql, Guid? account = null)
    {
        await using var su = faults.Own.Superuser(port);
        await using var cmd = su.CreateCommand(sql);
        if (account is { } a)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Searches_read_from_the_standby_and_continue_on_the_primary_without_an_error_when_it_stops()
    {
        await faults.Cluster.StartReplicasAsync(CancellationToken.None);
        await using var app = new ParleyAppFactory(faults.ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Database:ReadConnectionString"] = faults.Cluster.ReadConnectionString(),
            // Reads go to the standby even right after this process wrote: the test wants the standby.
            ["Parley:Database:ReadYourWritesSeconds"] = "0",
        });
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var (account, client) = await FaultCluster.NewTenantAsync(admin, app.CreateClient, "Replica stop");
        await FaultCluster.UploadDemoAsync(client, 5);

        const string chunks = "SELECT count(*) FROM knowledge_chunks WHERE account_id = $1";
        var primaryPort = faults.Own.Info.Port;
        var onPrimary = await ScalarAsync(primaryPort, chunks, account);
        using (var replay = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (await ScalarAsync(faults.Replica.Port, chunks, account) != onPrimary)
            {
                Assert.False(replay.IsCancellationRequested, "the standby did not replay the ingest within 30 s");
                await Task.Delay(20, CancellationToken.None);
            }
        }

        var body = new { query = "Is there parking near the restaurant?", topK = 3 };
        var first = await client.PostAsJsonAsync("/v1/knowledge/search", body);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var expected = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("chunkId").GetGuid();
        const string readers = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'parley-vector-read'";
        Assert.True(await ScalarAsync(faults.Replica.Port, readers) > 0, "searches did not read from the standby");

        var errors = new ConcurrentQueue<string>();
        var ok = 0;
        using var stop = new CancellationTokenSource();
        async Task SearchAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsJsonAsync("/v1/knowledge/search", body);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    errors.Enqueue($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }
                var top = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("chunkId").GetGuid();
                if (top != expected)
                {
                    errors.Enqueue($"top result {top}, expected {expected}");
                }
                Interlocked.Increment(ref ok);
            }
        }
        var load = Enumerable.Range(0, 4).Select(_ => SearchAsync()).ToList();
        // Each phase waits for the searches it needs, by a deadline, instead of sleeping.
        async Task AnsweredAsync(int count, string when)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Volatile.Read(ref ok) < count && errors.IsEmpty && !load.Any(l => l.IsCompleted))
            {
                Assert.False(wait.IsCancellationRequested, $"fewer than {count} searches answered {when} within 60 s");
                await Task.Delay(20, CancellationToken.None);
            }
        }
        await AnsweredAsync(20, "on the standby");
        var before = Volatile.Read(ref ok);
        await faults.Cluster.StopReplicaAsync(faults.Replica, CancellationToken.None);
        Assert.False(await faults.Cluster.IsReplicaRunningAsync(faults.Replica, CancellationToken.None));
        await AnsweredAsync(before + 40, "after the standby stopped");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(errors);
        Assert.True(ok - before > 10, $"only {ok - before} searches after the standby stopped");
        Assert.True(await ScalarAsync(primaryPort, readers) > 0, "searches did not move to the primary");
        await faults.Cluster.StartReplicasAsync(CancellationToken.None);
    }
}
