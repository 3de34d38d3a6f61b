using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

public sealed class HealthTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Health_reports_the_database_pgvector_and_the_embedding_model()
    {
        await using var app = new ParleyAppFactory(db.ConnectionString);
        using var client = app.CreateClient();
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("reachable", body.GetProperty("database").GetString());
        Assert.StartsWith("0.8", body.GetProperty("pgvector").GetString(), StringComparison.Ordinal);
        Assert.Equal("all-MiniLM-L6-v2", body.GetProperty("embeddingModel").GetString());
        Assert.Equal(384, body.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task Health_answers_503_with_a_reason_when_the_database_is_unreachable()
    {
        var port = Parley.LocalPostgres.LocalCluster.FreePort();
        await using var app = new ParleyAppFactory($"Host=127.0.0.1;Port={port};Database=x;Username=x;Password=x;Timeout=1",
            new Dictionary<string, string?> { ["Parley:Database:Migrate"] = "false" });
        using var client = app.CreateClient();
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unreachable", body.GetProperty("database").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("reason").GetString()));
    }
}
