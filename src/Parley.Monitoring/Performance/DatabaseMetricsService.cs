using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;

namespace Parley.Monitoring.Performance;

/// <summary>
/// Pools, query performance, the vector side's footprint, and the batching writers with the records they
/// set aside. Catalog and statistics views, and dead letters (tenant records: read under the platform
/// scope); index names carry account ids and statements are everyone's, so the endpoint is for the platform admin.
/// </summary>
public sealed class DatabaseMetricsService(
    [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource transactional,
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource vector,
    [FromKeyedServices(DataSourceKeys.VectorRead)] NpgsqlDataSource vectorRead,
    NpgsqlPoolMonitor pools,
    IEnumerable<IRecordWriter> writers,
    DeadLetterStore deadLetters)
{
    public const int MaxTop = 100;

    /// <summary>The tables the raw driver owns (knowledge, embedding cache, per-search records).</summary>
    private static readonly string[] VectorTables = ["knowledge_chunks", "knowledge_documents", "knowledge_tenant_stats", "embedding_cache", "search_records"];

    public async Task<DatabaseMetrics> ReadAsync(int? top, CancellationToken cancellationToken)
    {
        var limit = top ?? 10;
        if (limit is < 1 or > MaxTop)
        {
            throw new InvalidRequestException("top", $"top must be between 1 and {MaxTop}.");
        }
        var poolStats = pools.Read(new[] { transactional, vector, vectorRead }.Select(PoolName));
        var sessions = await SessionsAsync(cancellationToken);
        var (available, note, statements) = await SlowStatementsAsync(limit, cancellationToken);
        var tables = await TablesAsync(cancellationToken);
        var indexes = await IndexesAsync(cancellationToken);
        var letters = await deadLetters.SummaryAsync(limit, cancellationToken);
        return new DatabaseMetrics(poolStats, sessions, available, note, statements, tables, indexes,
            indexes.Where(i => i.Method == "hnsw").ToList(), writers.Select(WriterStatistics.Of).ToList(), letters);
    }

    /// <summary>Parley names each data source after its application name (see AddParleyData).</summary>
    private static string PoolName(NpgsqlDataSource source) =>
        new NpgsqlConnectionStringBuilder(source.ConnectionString).ApplicationName ?? source.ConnectionString;

    private async Task<List<SessionCount>> SessionsAsync(CancellationToken cancellationToken)
    {
        await using var cmd = transactional.CreateCommand("""
            SELECT application_name, coalesce(state, 'unknown'), count(*)
            FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'parley%'
            GROUP BY 1, 2 ORDER BY 1, 2
            """);
        var rows = new List<SessionCount>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SessionCount(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return rows;
    }

    /// <summary>
    /// pg_stat_statements may be missing (not installed in this database) or installed but not
    /// preloaded (its functions then fail): either way the rest of the report stands.
    /// </summary>
    private async Task<(bool, string?, List<StatementStatistics>)> SlowStatementsAsync(int limit, CancellationToken cancellationToken)
    {
        await using (var check = transactional.CreateCommand("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements')"))
        {
            if (await check.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return (false, "pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements, with it in shared_preload_libraries).", []);
            }
        }
        try
        {
            await using var cmd = transactional.CreateCommand("""
                SELECT left(query, 1000), calls, mean_exec_time, total_exec_time, rows
                FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
                ORDER BY mean_exec_time DESC
                LIMIT $1
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
            var rows = new List<StatementStatistics>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new StatementStatistics(reader.IsDBNull(0) ? "<insufficient privilege>" : reader.GetString(0), reader.GetInt64(1),
                    Math.Round(reader.GetDouble(2), 3), Math.Round(reader.GetDouble(3), 3), reader.GetInt64(4)));
            }
            return (true, null, rows);
        }
        catch (PostgresException e)
        {
            return (false, $"pg_stat_statements could not be read: {e.MessageText}", []);
        }
    }

    private async Task<List<RelationSize>> TablesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = transactional.CreateCommand("""
            SELECT t.name, pg_relation_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::bigint
            FROM unnest($1::text[]) AS t(name)
            JOIN pg_class c ON c.oid = to_regclass(t.name)
            ORDER BY 4 DESC
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = VectorTables });
        var rows = new List<RelationSize>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RelationSize(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }
        return rows;
    }

    private async Task<List<IndexStatistics>> IndexesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = transactional.CreateCommand("""
            SELECT s.indexrelname, s.relname, am.amname, pg_relation_size(s.indexrelid), s.idx_scan, s.idx_tup_read
            FROM pg_stat_user_indexes s
            JOIN pg_class c ON c.oid = s.indexrelid
            JOIN pg_am am ON am.oid = c.relam
            WHERE s.relname = ANY($1)
            ORDER BY 4 DESC, 1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = VectorTables });
        var rows = new List<IndexStatistics>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new IndexStatistics(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return rows;
    }
}
