using Npgsql;

namespace Parley.Transactional.Persistence;

/// <summary>
/// What the server's role may do when another role owns the schema: read and write rows of every table
/// (row-level security still decides which rows), read but not change the recorded settings and the
/// migration history, use the sequences; no TRUNCATE, no REFERENCES, no trigger, no DDL (it owns
/// nothing). Default privileges give the same to tables a later migration creates. Run by the
/// migrator, as the owner, after every migration pass: idempotent, and it follows a change of the
/// server's role without a migration.
/// </summary>
internal static class RuntimeGrants
{
    public static async Task ApplyAsync(string ownerConnectionString, string runtimeConnectionString, CancellationToken cancellationToken)
    {
        string role;
        var runtime = new NpgsqlConnectionStringBuilder(runtimeConnectionString) { ApplicationName = "parley-migrator", Pooling = false };
        await using (var conn = new NpgsqlConnection(runtime.ConnectionString))
        {
            await conn.OpenAsync(cancellationToken);
            await using var who = new NpgsqlCommand("SELECT quote_ident(current_user)", conn);
            role = (string)(await who.ExecuteScalarAsync(cancellationToken))!;
        }
        await using var owner = new NpgsqlConnection(ownerConnectionString);
        await owner.OpenAsync(cancellationToken);
        await using var same = new NpgsqlCommand("SELECT quote_ident(current_user) = $1, quote_ident(current_schema())", owner) { Parameters = { new() { Value = role } } };
        string schema;
        await using (var reader = await same.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetBoolean(0))
            {
                return;
            }
            schema = reader.GetString(1);
        }
        await using var grant = new NpgsqlCommand($"""
            GRANT USAGE ON SCHEMA {schema} TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
            REVOKE INSERT, UPDATE, DELETE ON {schema}.parley_settings, {schema}."__EFMigrationsHistory" FROM {role};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
            ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
            """, owner);
        await grant.ExecuteNonQueryAsync(cancellationToken);
    }
}
