using Microsoft.Extensions.Logging;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Knowledge.Maintenance;

/// <summary>The schema side of a model switch: the column's dimension, the HNSW indexes, the recorded model.</summary>
public sealed partial class ReEmbedder
{
    /// <summary>
    /// Vectors of two dimensions cannot share a <c>vector(d)</c> column nor an HNSW index, so for the
    /// length of the switch the column becomes plain <c>vector</c> (a catalog change, no rewrite) and
    /// the per-tenant HNSW indexes go (and the design's global one, should an old database still have
    /// it); searches meanwhile use exact scans, still correct.
    /// </summary>
    private async Task RelaxColumnAsync(CancellationToken cancellationToken)
    {
        await using var tenant = await dataSource.ForTenant(TenantScope.Platform).BeginTransactionAsync(cancellationToken);
        var (conn, tx) = (tenant.Connection, tenant.Transaction);
        var tenantIndexes = new List<(Guid Account, string Index)>();
        await using (var cmd = new NpgsqlCommand("SELECT account_id, hnsw_index FROM knowledge_tenant_stats WHERE hnsw_index IS NOT NULL", conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tenantIndexes.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }
        var sql = string.Join(";\n", tenantIndexes.Select(t => $"DROP INDEX IF EXISTS \"{t.Index}\"").Append($"""
            DROP INDEX IF EXISTS {GlobalIndex};
            UPDATE knowledge_tenant_stats SET hnsw_index = NULL WHERE hnsw_index IS NOT NULL;
            ALTER TABLE knowledge_chunks ALTER COLUMN embedding TYPE vector;
            {KeepInline(schema.Dimensions)}
            """));
        await using (var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 0 })
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tenant.CommitAsync(cancellationToken);
        foreach (var (account, _) in tenantIndexes)
        {
            planner.Invalidate(new AccountId(account));
        }
        LogRelaxed(logger, schema.Dimensions, tenantIndexes.Count);
    }

    /// <summary>
    /// Every chunk is on the configured model: give the column its dimension back (checked against
    /// every row by PostgreSQL) and record the model, so servers configured for it start. Tenant
    /// indexes are the index maintainer's to rebuild; there is no global one any more.
    /// </summary>
    private async Task<bool> SwitchAsync(CancellationToken cancellationToken)
    {
        var (model, dims) = await RecordedAsync(cancellationToken);
        var column = await ColumnDimensionsAsync(cancellationToken);
        if (model == schema.Model && dims == schema.Dimensions && column == schema.Dimensions)
        {
            return false;
        }
        // DDL and the recorded model: the owner's, through the platform scope's pool.
        await using var conn = await dataSource.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        if (column != schema.Dimensions)
        {
            await using var cmd = new NpgsqlCommand($"""
                ALTER TABLE knowledge_chunks ALTER COLUMN embedding TYPE vector({schema.Dimensions});
                {KeepInline(schema.Dimensions)}
                """, conn) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE parley_settings SET value = CASE key WHEN 'embedding_model' THEN $1 ELSE $2 END
            WHERE key IN ('embedding_model', 'embedding_dimensions')
            """, conn))
        {
            cmd.Parameters.Add(new() { Value = schema.Model });
            cmd.Parameters.Add(new() { Value = schema.Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        LogSwitched(logger, model, schema.Model, schema.Dimensions);
        return true;
    }

    /// <summary>
    /// A change of column type resets its storage to the type's (out of line for pgvector): put back
    /// what the migration ChunkVectorsInline set, with the row target of the new dimension.
    /// </summary>
    private static string KeepInline(int dimensions) =>
        $"ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE MAIN, SET (toast_tuple_target = {Math.Min(8160, 4 * dimensions + 1200)})";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedding column holds vectors of two dimensions until the re-embed ends (now {Dimensions}); {Count} tenant HNSW indexes were dropped")]
    private static partial void LogRelaxed(ILogger logger, int dimensions, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "The deployment's embedding model is now {To} ({Dimensions} dimensions), was {From}")]
    private static partial void LogSwitched(ILogger logger, string from, string to, int dimensions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-embedded {Count} chunks from {From} to {To}; {Remaining} chunks left on another model")]
    private static partial void LogDone(ILogger logger, long count, string from, string to, long remaining);
}
