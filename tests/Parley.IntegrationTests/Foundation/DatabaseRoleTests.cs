using Npgsql;
using Parley.Testing;
using Parley.Transactional.Persistence;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

/// <summary>Issue 17 point 3: the server refuses a role that row-level security does not bind (the rest: <see cref="LeastPrivilegeRoleTests"/>).</summary>
public sealed class DatabaseRoleTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static Exception StartFailure(string connectionString)
    {
        using var app = new ParleyAppFactory(connectionString);
        return Assert.ThrowsAny<Exception>(() => _ = app.Server);
    }

    private static DatabaseSchemaException Refusal(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DatabaseSchemaException refusal)
            {
                return refusal;
            }
        }
        throw new Xunit.Sdk.XunitException($"the start failed for another reason: {e}");
    }

    [Fact]
    public async Task The_servers_own_role_is_neither_superuser_nor_bypassrls()
    {
        await using var app = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = app.CreateCommand("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(reader.GetBoolean(0));
        Assert.False(reader.GetBoolean(1));
    }

    [Fact]
    public void The_server_refuses_to_start_as_a_superuser_and_says_why()
    {
        var refusal = Refusal(StartFailure(db.Server.Superuser(db.ConnectionString)));
        Assert.Contains("a superuser", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("row-level security", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_refuses_to_start_as_a_bypassrls_role_and_says_why()
    {
        var role = $"bypass_{Guid.NewGuid():N}"[..20];
        await using (var su = db.CreateSuperuserDataSource())
        await using (var cmd = su.CreateCommand($"CREATE ROLE {role} LOGIN NOSUPERUSER BYPASSRLS PASSWORD 'bypass-test'"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = role, Password = "bypass-test" }.ConnectionString;

        var refusal = Refusal(StartFailure(cs));

        Assert.Contains($"'{role}'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("BYPASSRLS", refusal.Message, StringComparison.Ordinal);
    }
}
