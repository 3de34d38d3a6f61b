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
    public async Task The_knowledge_chunks_carry_an_hnsw_cosine_index_with_the_design_parameters()
    {
        await using var ds = NpgsqlDataSource.Create(db.ConnectionString);
        await using var cmd = ds.CreateCommand("""
            SELECT am.amname, pg_get_indexdef(i.indexrelid), c.reloptions
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam
            JOIN pg_indexes ix ON ix.indexname = c.relname
            WHERE ix.tablename = 'knowledge_chunks' AND am.amname = 'hnsw'
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no HNSW index on knowledge_chunks");
        Assert.Contains("vector_cosine_ops", reader.GetString(1), StringComparison.Ordinal);
        var options = reader.GetFieldValue<string[]>(2);
        Assert.Contains("m=16", options);
        Assert.Contains("ef_construction=64", options);
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
