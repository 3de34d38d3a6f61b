using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed class HealthProbeTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Ready_checks_the_database_pgvector_the_model_and_the_call_log_and_health_keeps_its_contract()
    {
        await using var app = new ParleyAppFactory(db.ConnectionString);
        using var client = app.CreateClient();

        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var ready = await client.GetAsync("/health/ready");
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body.ToString());
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["database"] = "healthy", ["pgvector"] = "healthy", ["embedding-model"] = "healthy", ["call-log-backlog"] = "healthy",
        }, checks);

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        foreach (var field in new[] { "status", "database", "pgvector", "embeddingModel", "dimensions" })
        {
            Assert.True(health.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Without_a_database_the_process_is_live_but_not_ready()
    {
        var port = Parley.LocalPostgres.LocalCluster.FreePort();
        await using var app = new ParleyAppFactory($"Host=127.0.0.1;Port={port};Database=x;Username=x;Password=x;Timeout=1",
            new Dictionary<string, string?> { ["Parley:Database:Migrate"] = "false", ["Parley:Embeddings:PersistentCache"] = "false" });
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("unhealthy", checks["database"].GetProperty("status").GetString());
        // Anonymous: the status of each check, never its text; the admin key reads why.
        Assert.Equal(JsonValueKind.Null, checks["database"].GetProperty("description").ValueKind);
        Assert.Equal("healthy", checks["call-log-backlog"].GetProperty("status").GetString());
        client.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var detailed = (await (await client.GetAsync("/health/ready")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.StartsWith("unreachable", detailed["database"].GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
