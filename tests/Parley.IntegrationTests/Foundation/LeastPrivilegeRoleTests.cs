using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.LocalPostgres;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

/// <summary>
/// Issue 17 point 3, proved from the catalog: the server's role owns nothing, cannot change the schema
/// and is bound by row-level security on every tenant table; platform-wide visibility is not a setting
/// a tenant session can switch on; a database with a single role still migrates and works.
/// </summary>
public sealed class LeastPrivilegeRoleTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private readonly AccountId _a = new(Guid.CreateVersion7());
    private readonly AccountId _b = new(Guid.CreateVersion7());
    private readonly string _name = $"roles-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        await using var su = db.CreateSuperuserDataSource();
        await using var batch = su.CreateBatch();
        foreach (var sql in new[]
        {
            "INSERT INTO accounts (id, name, plan, language, created_at, updated_at) SELECT unnest($1::uuid[]), $2, 'starter', 'english', now(), now()",
            "INSERT INTO knowledge_documents (account_id, id, source, title, content_hash) SELECT unnest($1::uuid[]), gen_random_uuid(), $2, $2, '\\x00'",
        })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql) { Parameters = { new() { Value = new[] { _a.Value, _b.Value } }, new() { Value = _name } } });
        }
        await batch.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_servers_role_owns_nothing_is_no_superuser_nor_bypassrls_and_is_not_a_member_of_the_owner()
    {
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("""
            SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relowner = r.oid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%'),
                   (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid),
                   (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid),
                   (SELECT datdba <> r.oid FROM pg_database WHERE datname = current_database()),
                   pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'public.knowledge_chunks'::regclass), 'MEMBER'),
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.knowledge_chunks'::regclass)
            FROM pg_roles r WHERE r.rolname = $1
            """);
        cmd.Parameters.Add(new() { Value = ClusterInfo.AppUser });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(reader.GetBoolean(0), "superuser");
        Assert.False(reader.GetBoolean(1), "BYPASSRLS");
        Assert.False(reader.GetBoolean(2), "CREATEROLE");
        Assert.False(reader.GetBoolean(3), "CREATEDB");
        Assert.Equal(0L, reader.GetInt64(4));
        Assert.Equal(0L, reader.GetInt64(5));
        Assert.Equal(0L, reader.GetInt64(6));
        Assert.True(reader.GetBoolean(7), "the server's role owns the database");
        Assert.False(reader.GetBoolean(8), "the server's role is a member of the schema owner");
        Assert.Equal(ClusterInfo.OwnerUser, reader.GetString(9));
    }

    [Fact]
    public async Task Every_tenant_table_has_row_level_security_enabled_forced_and_granted_dml_only()
    {
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("""
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid),
                   has_table_privilege($1, c.oid, 'SELECT') AND has_table_privilege($1, c.oid, 'INSERT')
                     AND has_table_privilege($1, c.oid, 'UPDATE') AND has_table_privilege($1, c.oid, 'DELETE'),
                   has_table_privilege($1, c.oid, 'TRUNCATE, TRIGGER, REFERENCES')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
                          AND (a.attname = 'account_id' OR (c.relname = 'accounts' AND a.attname = 'id')))
            ORDER BY 1
            """);
        cmd.Parameters.Add(new() { Value = ClusterInfo.AppUser });
        var tables = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var table = reader.GetString(0);
                tables.Add(table);
                Assert.True(reader.GetBoolean(1), $"{table}: row-level security not enabled");
                Assert.True(reader.GetBoolean(2), $"{table}: row-level security not forced");
                Assert.True(reader.GetBoolean(3), $"{table}: no policy");
                Assert.True(reader.GetBoolean(4), $"{table}: the server's role lacks DML");
                Assert.False(reader.GetBoolean(5), $"{table}: the server's role may truncate, trigger or reference");
            }
        }
        Assert.Contains("knowledge_chunks", tables);
        Assert.True(tables.Count >= 15, $"only {tables.Count} tenant tables: {string.Join(", ", tables)}");

        await using var settings = su.CreateCommand(
            "SELECT has_table_privilege($1, 'public.parley_settings', 'SELECT'), has_table_privilege($1, 'public.parley_settings', 'UPDATE')");
        settings.Parameters.Add(new() { Value = ClusterInfo.AppUser });
        await using var r = await settings.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.True(r.GetBoolean(0));
        Assert.False(r.GetBoolean(1), "the server's role may change the recorded embedding model");
    }

    [Theory]
    [InlineData("ALTER TABLE knowledge_chunks NO FORCE ROW LEVEL SECURITY")]
    [InlineData("ALTER TABLE accounts DISABLE ROW LEVEL SECURITY")]
    [InlineData("DROP POLICY tenant_isolation ON accounts")]
    [InlineData("DROP TABLE knowledge_documents CASCADE")]
    [InlineData("TRUNCATE accounts CASCADE")]
    [InlineData("CREATE TABLE public.smuggled (id int)")]
    [InlineData("SET ROLE parley_owner")]
    [InlineData("CREATE OR REPLACE FUNCTION parley_is_platform() RETURNS boolean LANGUAGE sql AS 'SELECT true'")]
    public async Task The_servers_role_cannot_change_the_schema_nor_become_its_owner(string statement)
    {
        await using var app = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = app.CreateCommand(statement);
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Theory]
    [InlineData("SET parley.platform = 'on'")]
    [InlineData("SELECT set_config('parley.platform', 'on', false)")]
    [InlineData("SET parley.platform = 'on'; CREATE TEMP TABLE parley_settings (key text, value text)")]
    public async Task A_tenant_session_that_switches_on_the_platform_setting_still_sees_only_its_own_rows(string attempt)
    {
        await using var app = NpgsqlDataSource.Create(db.ConnectionString);
        await using var conn = await app.ForTenant(_a).OpenConnectionAsync(CancellationToken.None);
        await using (var cmd = new NpgsqlCommand(attempt, conn))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var check = new NpgsqlCommand("SELECT current_setting('parley.platform'), parley_is_platform()", conn))
        await using (var reader = await check.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal("on", reader.GetString(0));
            Assert.False(reader.GetBoolean(1));
        }
        Assert.Equal(new[] { _a.Value }, await AccountsSeenAsync(conn));
        Assert.Equal(1L, await DocumentsSeenAsync(conn));

        // The same statements on a connection of the owner's pool are what platform-wide work runs.
        await using var owner = NpgsqlDataSource.Create(db.OwnerConnectionString);
        await using var platform = await owner.ForTenant(TenantScope.Platform).OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(new[] { _a.Value, _b.Value }.Order(), (await AccountsSeenAsync(platform)).Order());
        Assert.Equal(2L, await DocumentsSeenAsync(platform));
    }

    [Fact]
    public async Task The_platform_scope_of_the_servers_pools_is_served_by_the_owners_pool()
    {
        await using var app = NpgsqlDataSource.Create(db.ConnectionString);
        await using var owner = NpgsqlDataSource.Create(db.OwnerConnectionString);
        await using (var unpaired = await app.ForTenant(TenantScope.Platform).OpenConnectionAsync(CancellationToken.None))
        {
            Assert.Empty(await AccountsSeenAsync(unpaired));
        }
        PlatformDataSources.Pair(app, owner);
        await using var paired = await app.ForTenant(TenantScope.Platform).OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(2, (await AccountsSeenAsync(paired)).Count);
        await using var tenant = await app.ForTenant(_b).OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(new[] { _b.Value }, await AccountsSeenAsync(tenant));
        await using var who = new NpgsqlCommand("SELECT current_user", tenant);
        Assert.Equal(ClusterInfo.AppUser, await who.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_table_a_later_migration_creates_is_granted_to_the_servers_role()
    {
        var table = $"later_{Guid.NewGuid():N}"[..20];
        await using (var owner = NpgsqlDataSource.Create(db.OwnerConnectionString))
        await using (var create = owner.CreateCommand($"CREATE TABLE {table} (id int PRIMARY KEY, note text)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var app = NpgsqlDataSource.Create(db.ConnectionString);
        await using var use = app.CreateCommand($"INSERT INTO {table} VALUES (1, 'x'); UPDATE {table} SET note = 'y'; SELECT count(*) FROM {table}");
        Assert.Equal(1L, await use.ExecuteScalarAsync());
        await using var drop = app.CreateCommand($"DROP TABLE {table}");
        var e = await Assert.ThrowsAsync<PostgresException>(() => drop.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    private async Task<List<Guid>> AccountsSeenAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM accounts WHERE name = $1", conn) { Parameters = { new() { Value = _name } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        var seen = new List<Guid>();
        while (await reader.ReadAsync())
        {
            seen.Add(reader.GetGuid(0));
        }
        return seen;
    }

    private async Task<long> DocumentsSeenAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM knowledge_documents WHERE source = $1", conn) { Parameters = { new() { Value = _name } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
