using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Refuses to serve as a role that row-level security does not bind: a superuser or a role with
/// BYPASSRLS sees every tenant's rows whatever the tenant scope says, so one bug in a query would
/// leak another tenant's data. The private cluster never connects so; an external database
/// (<c>PARLEY_DATABASE_URL</c>) might, and is then refused at start with the reason. A server role that
/// owns the schema (one role for everything) is allowed, with a warning: it could lift the policies.
/// </summary>
/// <remarks>
/// On a connection of its own, as the migrator's: the pools' connect timeout (2 s, the design's) is
/// for requests, and a machine busy at start missed it here.
/// </remarks>
public sealed partial class DatabaseRoleCheck(IOptions<DatabaseOptions> options, ILogger<DatabaseRoleCheck> logger)
{
    private const string Sql = """
        SELECT current_user, rolsuper, rolbypassrls,
               coalesce((SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass('parley_settings')), false)
        FROM pg_roles WHERE rolname = current_user
        """;

    public async Task EnsureBoundByRowSecurityAsync(CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { ApplicationName = "parley-role-check", Pooling = false };
        await using var conn = new NpgsqlConnection(csb.ConnectionString);
        await conn.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand(Sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return;
        }
        var (role, super, bypass, owns) = (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3));
        if (super || bypass)
        {
            throw new DatabaseSchemaException(
                $"Parley will not run as database role '{role}': it is {(super ? "a superuser" : "a BYPASSRLS role")}, so row-level " +
                "security would not separate tenants. Connect as a role created with NOSUPERUSER NOBYPASSRLS (README: Database roles).");
        }
        if (owns)
        {
            LogServesAsOwner(logger, role);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server's database role {Role} owns the schema, so row-level security is only a backstop it could lift: give the schema to an owner role and set ConnectionStrings__ParleyOwner (README: Database roles)")]
    private static partial void LogServesAsOwner(ILogger logger, string role);
}
