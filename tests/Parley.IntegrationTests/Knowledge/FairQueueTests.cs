using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Knowledge.Jobs;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>The in-process server with its job worker off (each test steps it), leases long enough that a claim outlives the test.</summary>
public sealed class FairQueueFixture : DatabaseFixture
{
    public ParleyAppFactory App { get; private set; } = null!;

    public IngestionJobWorker Worker => App.Services.GetRequiredService<IngestionJobWorker>();
    public IngestionJobStore Store => App.Services.GetRequiredService<IngestionJobStore>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Knowledge:Jobs:Worker"] = "false",
            ["Parley:Knowledge:Jobs:LeaseSeconds"] = "600",
            ["Parley:Knowledge:Jobs:PerTenantConcurrency"] = "2",
        });
        _ = App.Server;
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }

    public async Task<HttpClient> NewTenantAsync()
    {
        var admin = App.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
        var response = await admin.PostAsJsonAsync("/v1/accounts", new { name = "Queue tenant" });
        response.EnsureSuccessStatusCode();
        var client = App.CreateClient();
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

public sealed class FairQueueTests(FairQueueFixture jobs) : IClassFixture<FairQueueFixture>
{
    private static async Task<Guid> QueueAsync(HttpClient client, string title, int seed)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/documents?async=true", new { title, text = IngestionJobTests.Text(2, seed) });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetGuid();
    }

    private static async Task<string> StatusAsync(HttpClient client, Guid job) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{job}")).GetProperty("status").GetString()!;

    /// <summary>Runs whatever an earlier test left due, so each test starts from an empty queue.</summary>
    private async Task DrainAsync()
    {
        while (await jobs.Worker.RunOnceAsync(CancellationToken.None))
        {
        }
    }

    [Fact]
    public async Task One_tenants_fifty_queued_uploads_delay_another_tenants_single_upload_by_at_most_one_job()
    {
        await DrainAsync();
        var busy = await jobs.NewTenantAsync();
        var quiet = await jobs.NewTenantAsync();
        var flood = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            flood.Add(await QueueAsync(busy, $"Flood {i}", seed: 1000 + i));
        }
        var single = await QueueAsync(quiet, "The one upload", seed: 7);

        var before = 0;
        while (await StatusAsync(quiet, single) != "succeeded")
        {
            Assert.True(await jobs.Worker.RunOnceAsync(CancellationToken.None), "the worker found nothing to do while the single upload waited");
            before++;
            Assert.True(before <= 2, $"the single upload was still waiting after {before} jobs");
        }
        var floodDone = 0;
        foreach (var id in flood)
        {
            floodDone += await StatusAsync(busy, id) == "succeeded" ? 1 : 0;
        }
        Assert.True(floodDone <= 1, $"{floodDone} of the flood's jobs ran before the single upload");

        // And the flood still runs to the end once nobody else waits.
        await DrainAsync();
        Assert.Equal("succeeded", await StatusAsync(busy, flood[^1]));
    }

    [Fact]
    public async Task A_tenant_with_its_cap_of_jobs_running_gets_no_more_while_another_tenants_job_is_claimed()
    {
        await DrainAsync();
        var heavy = await jobs.NewTenantAsync();
        var light = await jobs.NewTenantAsync();
        for (var i = 0; i < 4; i++)
        {
            await QueueAsync(heavy, $"Heavy {i}", seed: 2000 + i);
        }
        var lightJob = await QueueAsync(light, "Light", seed: 3000);

        var claims = new List<ClaimedJob>();
        while (await jobs.Store.ClaimAsync("test-worker", CancellationToken.None) is { } claimed)
        {
            claims.Add(claimed);
            Assert.True(claims.Count <= 5, "more claims than jobs");
        }

        // Heavy first (oldest), then light (never served), then heavy again up to its cap of 2; then nothing,
        // though two of heavy's jobs are still queued.
        Assert.Equal(3, claims.Count);
        Assert.Equal(lightJob, claims[1].Id);
        Assert.Equal(claims[0].Account, claims[2].Account);
        Assert.NotEqual(claims[0].Account, claims[1].Account);
    }
}
