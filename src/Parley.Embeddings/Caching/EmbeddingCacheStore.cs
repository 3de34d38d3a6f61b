using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Pgvector;

namespace Parley.Embeddings.Caching;

/// <summary>
/// Tier 2 of the embedding cache: the <c>embedding_cache</c> table, so vectors survive restarts and
/// are shared by every server process. Entries belong to an account (row-level security, deleted with
/// it): a tenant never gets another's vector, so the time an embedding takes tells it nothing about
/// what anyone else asked. Pruned by age and size (<see cref="PruneAsync"/>). Reads are one query per batch; writes and hit counts are
/// queued and written in batches off the hot path by <see cref="BatchingWriter{T}"/>, like the call
/// log and the search records (a full queue drops: it is a cache, losing an entry costs one
/// recomputation).
/// </summary>
public sealed partial class EmbeddingCacheStore : BatchingWriter<EmbeddingCacheStore.Pending>
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<EmbeddingCacheStore> _logger;

    public const string Kind = "embedding_cache";

    // One retry, then the batch is given up: an entry is worth a second try, not a wait, since the
    // next ask for it recomputes and queues it again. No spool: a cache needs none.
    public EmbeddingCacheStore(
        [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
        DeadLetterStore deadLetters,
        DataMetrics dataMetrics,
        TimeProvider time,
        ILogger<EmbeddingCacheStore> logger)
        : base(new BatchingWriterSettings<Pending>(Kind, Capacity: 10_000, BatchSize: 500, MaxRetries: 1, EmbeddingCacheJson.Default.Pending),
            deadLetters, dataMetrics, time, logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>A vector to store (<paramref name="Vector"/> set) or a hit to count (null), of one account.</summary>
    public sealed record Pending(Guid Account, string Model, byte[] Hash, float[]? Vector);

    public async Task<Dictionary<string, float[]>> LookupAsync(AccountId account, string model, IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (hashes.Count == 0)
        {
            return found;
        }
        await using var batch = _dataSource.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT text_hash, embedding FROM embedding_cache WHERE account_id = $1 AND model = $2 AND text_hash = ANY($3)")
        {
            Parameters = { new() { Value = account.Value }, new() { Value = model }, new() { Value = hashes.ToArray() } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = reader.GetFieldValue<Vector>(1).ToArray();
        }
        return found;
    }

    public void EnqueueWrite(AccountId account, string model, byte[] hash, float[] vector) => TryEnqueue(new Pending(account.Value, model, hash, vector));

    public void EnqueueHit(AccountId account, string model, byte[] hash) => TryEnqueue(new Pending(account.Value, model, hash, null));

    /// <summary>
    /// Deletes the account's entries of these hashes, after writing what this process still has queued
    /// (or a vector queued by the ingestion of a document deleted right after would land after the purge).
    /// A failure is logged, not thrown: what it leaves is pruned by age later.
    /// </summary>
    public async Task PurgeAsync(AccountId account, string model, IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
            await using var batch = _dataSource.ForTenant(account).CreateBatch();
            batch.Add(new NpgsqlBatchCommand("DELETE FROM embedding_cache WHERE account_id = $1 AND model = $2 AND text_hash = ANY($3)")
            {
                Parameters = { new() { Value = account.Value }, new() { Value = model }, new() { Value = hashes.ToArray() } },
            });
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogPurgeFailed(_logger, hashes.Count, e);
        }
    }

    protected override async Task WriteBatchAsync(IReadOnlyList<Pending> batch, CancellationToken cancellationToken)
    {
        // Rows of many accounts in one batch: the platform scope, each row carrying its account. An
        // account deleted meanwhile is skipped (its foreign key would fail the whole batch).
        await using var npgsqlBatch = _dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        foreach (var write in batch.Where(p => p.Vector is not null).DistinctBy(p => (p.Account, p.Model, Convert.ToHexString(p.Hash))))
        {
            npgsqlBatch.Add(new NpgsqlBatchCommand("""
                INSERT INTO embedding_cache (account_id, model, text_hash, embedding)
                SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1)
                ON CONFLICT DO NOTHING
                """)
            {
                Parameters =
                {
                    new() { Value = write.Account }, new() { Value = write.Model }, new() { Value = write.Hash },
                    new() { Value = new Vector(write.Vector!) },
                },
            });
        }
        foreach (var group in batch.Where(p => p.Vector is null).GroupBy(p => (p.Account, p.Model)))
        {
            npgsqlBatch.Add(new NpgsqlBatchCommand(
                "UPDATE embedding_cache SET hits = hits + 1, last_hit_at = now() WHERE account_id = $1 AND model = $2 AND text_hash = ANY($3)")
            {
                Parameters = { new() { Value = group.Key.Account }, new() { Value = group.Key.Model }, new() { Value = group.Select(p => p.Hash).ToArray() } },
            });
        }
        await npgsqlBatch.ExecuteNonQueryAsync(cancellationToken);
    }

    // One the database refuses (a NaN in a vector) is dropped and logged, which for a cache is the right end.
    protected override RecordKey Describe(Pending record) => new(new AccountId(record.Account), new Guid(record.Hash.AsSpan(0, 16)), Kind);

    protected override void Lost(int count, Exception exception) => LogWriteFailed(_logger, count, exception);

    protected override void Unwritten(long count) => LogUnwritten(_logger, count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} embedding cache entries; they will be recomputed when asked again")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge {Count} embedding cache entries of a deleted document; pruning by age removes them later")]
    private static partial void LogPurgeFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown ended with {Count} embedding cache entries unwritten; they will be recomputed when asked again")]
    private static partial void LogUnwritten(ILogger logger, long count);
}

[JsonSerializable(typeof(EmbeddingCacheStore.Pending))]
internal sealed partial class EmbeddingCacheJson : JsonSerializerContext;
