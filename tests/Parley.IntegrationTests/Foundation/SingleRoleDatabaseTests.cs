using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Testing;
using Parley.Transactional.Persistence;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

/// <summary>
/// An external database with one role only (no owner connection configured): that role migrates, owns
/// the schema and serves; platform-wide work then runs as it. Weaker (README: Database roles) but it works.
/// </summary>
public sealed class SingleRoleDatabaseTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_database_with_one_role_is_migrated_by_it_and_serves_admin_and_tenant_requests()
    {
        var role = $"solo_{Guid.NewGuid():N}"[..20];
        await using (var su = db.CreateSuperuserDataSource())
        {
            foreach (var sql in new[] { $"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'solo-test'", $"CREATE DATABASE {role} OWNER {role}" })
            {
                await using var cmd = su.CreateCommand(sql);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        var cs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = role, Username = role, Password = "solo-test" }.ConnectionString;
        // pgvector is not a trusted extension: whoever runs the database creates it, as for any external one.
        await using (var su = NpgsqlDataSource.Create(db.Server.Superuser(cs)))
        await using (var cmd = su.CreateCommand("CREATE EXTENSION vector"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var options = new DatabaseOptions { ConnectionString = cs };
        Assert.False(options.HasOwner);
        await new DatabaseMigrator(Options.Create(options), TestPostgres.DefaultSchema, NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(CancellationToken.None);

        using var app = new ParleyAppFactory(cs, new Dictionary<string, string?>
        {
            ["ConnectionStrings:ParleyOwner"] = "",
            ["Parley:Database:OwnerUsername"] = "",
        });
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
        var created = await admin.PostAsJsonAsync("/v1/accounts", new { name = "Solo" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var tenant = app.CreateClient();
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("apiKey").GetString());
        var agent = await tenant.PostAsJsonAsync("/v1/agents", new { name = "Solo agent" });
        Assert.True(agent.IsSuccessStatusCode, await agent.Content.ReadAsStringAsync());
        var agents = await tenant.GetFromJsonAsync<JsonElement>("/v1/agents");
        Assert.Equal(1, agents.GetProperty("items").GetArrayLength());

        await using var owned = NpgsqlDataSource.Create(cs);
        await using var check = owned.CreateCommand("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'knowledge_chunks'::regclass");
        Assert.Equal(role, await check.ExecuteScalarAsync());
        NpgsqlConnection.ClearAllPools();
    }
}
