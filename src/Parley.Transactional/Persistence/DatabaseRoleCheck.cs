using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Refuses to serve as a role that row-level security does not bind: a superuser or a role with
/// BYPASSRLS sees every tenant's rows whatever the tenant scope says, so one bug in a query would
/// leak another tenant's data. The private cluster never connects so; an external database
/// (<c>PARLEY_DATABASE_URL</c>) might, and is then refused at start with the reason.
/// </summary>
/// <remarks>
/// On a connection of its own, as the migrator's: the pools' connect timeout (2 s, the design's) is
/// for requests, and a machine busy at start missed it here.
/// </remarks>
public sealed class DatabaseRoleCheck(IOptions<DatabaseOptions> options)
{
    public async Task EnsureBoundByRowSecurityAsync(CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { ApplicationName = "parley-role-check", Pooling = false };
        await using var conn = new NpgsqlConnection(csb.ConnectionString);
        await conn.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", conn);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return;
        }
        var (role, super, bypass) = (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2));
        if (super || bypass)
        {
            throw new DatabaseSchemaException(
                $"Parley will not run as database role '{role}': it is {(super ? "a superuser" : "a BYPASSRLS role")}, so row-level " +
                "security would not separate tenants. Connect as a role created with NOSUPERUSER NOBYPASSRLS (README: Database roles).");
        }
    }
}
