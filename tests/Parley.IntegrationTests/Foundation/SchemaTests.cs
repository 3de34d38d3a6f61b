using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Testing;
using Parley.Transactional.Persistence;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

public sealed class SchemaTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_vector_extension_is_installed_at_version_0_8_or_later()
    {
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = ds.CreateCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
        var version = (string?)await cmd.ExecuteScalarAsync();
        Assert.NotNull(version);
        Assert.True(DatabaseMigrator.ParseVersion(version) >= new Version(0, 8, 0), $"pgvector {version}");
    }

    [Fact]
    public async Task The_knowledge_chunks_carry_no_global_hnsw_index_only_per_tenant_partial_ones()
    {
        // One graph for every tenant made each tenant's search filter it (issue 15): large tenants get a
        // partial index of their own (TenantRecallTests checks its parameters), the others are scanned exactly.
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = ds.CreateCommand("""
            SELECT count(*) FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam
            WHERE i.indrelid = 'knowledge_chunks'::regclass AND am.amname = 'hnsw' AND i.indpred IS NULL
            """);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_embedding_column_has_the_configured_dimension_and_it_is_recorded()
    {
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = ds.CreateCommand("""
            SELECT format_type(a.atttypid, a.atttypmod),
                   (SELECT value FROM parley_settings WHERE key = 'embedding_dimensions')
            FROM pg_attribute a WHERE a.attrelid = 'knowledge_chunks'::regclass AND a.attname = 'embedding'
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("vector(384)", reader.GetString(0));
        Assert.Equal("384", reader.GetString(1));
    }

    [Fact]
    public async Task Starting_with_another_embedding_model_is_an_error_naming_both()
    {
        var migrator = new DatabaseMigrator(Options.Create(new DatabaseOptions { ConnectionString = db.ConnectionString }),
            new VectorSchema("text-embedding-3-small", 1536), NullLogger<DatabaseMigrator>.Instance);
        var e = await Assert.ThrowsAsync<DatabaseSchemaException>(() => migrator.MigrateAsync(CancellationToken.None));
        Assert.Contains("all-MiniLM-L6-v2", e.Message, StringComparison.Ordinal);
        Assert.Contains("text-embedding-3-small", e.Message, StringComparison.Ordinal);
        Assert.Contains("1536", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_application_role_is_subject_to_row_level_security()
    {
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = ds.CreateCommand("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user");
        Assert.False((bool)(await cmd.ExecuteScalarAsync())!);
    }
}
