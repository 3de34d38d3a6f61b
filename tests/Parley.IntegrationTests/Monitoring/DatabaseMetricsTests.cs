using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed class DatabaseMetricsTests(MonitoringFixture fx) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Database_metrics_show_both_pools_slow_statements_vector_sizes_and_hnsw_indexes_and_survive_a_missing_pg_stat_statements()
    {
        var (account, client) = await fx.NewTenantAsync("Indexed Bistro");
        await Tenants.SeedAsync(client);
        await Tenants.SearchAsync(client, Tenants.Unique("Is there parking?", account));
        // The partial HNSW index the index maintainer gives a large tenant (the schema has no global one).
        var tenantIndex = Parley.Knowledge.Search.TenantIndexMaintainer.IndexName(new Parley.Domain.AccountId(account));
        await using (var superuser = NpgsqlDataSource.Create(fx.Server.Superuser(fx.ConnectionString)))
        await using (var create = superuser.CreateCommand($"CREATE INDEX {tenantIndex} ON knowledge_chunks USING hnsw (embedding vector_cosine_ops) WHERE account_id = '{account}'::uuid"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var body = await fx.Admin.GetFromJsonAsync<JsonElement>("/v1/metrics/database?top=5");
        var pools = body.GetProperty("pools").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(pools.ContainsKey("parley-tx"), body.ToString());
        Assert.True(pools.ContainsKey("parley-vector"), body.ToString());
        Assert.All(pools.Values, p => Assert.True(p.GetProperty("max").GetInt64() >= 20, p.ToString()));
        // The searches and writes above opened connections of both pools; they are idle or busy now, not gone.
        Assert.True(pools["parley-vector"].GetProperty("idle").GetInt64() + pools["parley-vector"].GetProperty("busy").GetInt64() > 0, body.ToString());
        Assert.Contains(body.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("applicationName").GetString() == "parley-vector");

        Assert.True(body.GetProperty("statementsAvailable").GetBoolean(), body.ToString());
        var statements = body.GetProperty("slowStatements").EnumerateArray().ToList();
        Assert.InRange(statements.Count, 1, 5);
        var means = statements.Select(s => s.GetProperty("meanMs").GetDouble()).ToList();
        Assert.Equal(means.OrderDescending(), means);
        Assert.All(statements, s => Assert.True(s.GetProperty("calls").GetInt64() > 0));

        var chunks = Assert.Single(body.GetProperty("tables").EnumerateArray(), t => t.GetProperty("name").GetString() == "knowledge_chunks");
        Assert.True(chunks.GetProperty("totalBytes").GetInt64() >= chunks.GetProperty("tableBytes").GetInt64() + chunks.GetProperty("indexBytes").GetInt64());
        var hnsw = Assert.Single(body.GetProperty("hnswIndexes").EnumerateArray(), i => i.GetProperty("name").GetString() == tenantIndex);
        Assert.Equal("knowledge_chunks", hnsw.GetProperty("table").GetString());
        Assert.True(hnsw.GetProperty("sizeBytes").GetInt64() > 0);
        Assert.True(hnsw.GetProperty("scans").GetInt64() >= 0);
        Assert.All(body.GetProperty("hnswIndexes").EnumerateArray(), i => Assert.Equal("hnsw", i.GetProperty("method").GetString()));

        await using (var superuser = NpgsqlDataSource.Create(fx.Server.Superuser(fx.ConnectionString)))
        await using (var drop = superuser.CreateCommand("DROP EXTENSION pg_stat_statements"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        var without = await fx.Admin.GetFromJsonAsync<JsonElement>("/v1/metrics/database");
        Assert.False(without.GetProperty("statementsAvailable").GetBoolean());
        Assert.Contains("pg_stat_statements", without.GetProperty("statementsNote").GetString(), StringComparison.Ordinal);
        Assert.Empty(without.GetProperty("slowStatements").EnumerateArray());
        Assert.NotEmpty(without.GetProperty("hnswIndexes").EnumerateArray());
    }
}
