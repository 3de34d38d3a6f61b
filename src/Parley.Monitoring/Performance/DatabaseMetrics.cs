using Parley.Data.Writers;

namespace Parley.Monitoring.Performance;

/// <summary>The design's getDatabaseMetrics (<c>GET /v1/metrics/database</c>).</summary>
/// <param name="Pools">This process's Npgsql pools (transactional, vector, vector reads when replicas are configured).</param>
/// <param name="Sessions">Server-side view: Parley's sessions on this database by application name and state, across every process.</param>
/// <param name="StatementsAvailable">Whether <c>pg_stat_statements</c> could be read; when not, <paramref name="StatementsNote"/> says why.</param>
/// <param name="SlowStatements">The slowest statements by mean time.</param>
/// <param name="HnswIndexes">The HNSW indexes (the global one and each large tenant's), with their scan counts.</param>
/// <param name="Writers">This process's batching writers: backlog, records lost and set aside, spool size.</param>
/// <param name="DeadLetters">Records the writers of every process set aside because the database refused them.</param>
public sealed record DatabaseMetrics(
    IReadOnlyList<PoolStatistics> Pools,
    IReadOnlyList<SessionCount> Sessions,
    bool StatementsAvailable,
    string? StatementsNote,
    IReadOnlyList<StatementStatistics> SlowStatements,
    IReadOnlyList<RelationSize> Tables,
    IReadOnlyList<IndexStatistics> Indexes,
    IReadOnlyList<IndexStatistics> HnswIndexes,
    IReadOnlyList<WriterStatistics> Writers,
    DeadLetterSummary DeadLetters);
