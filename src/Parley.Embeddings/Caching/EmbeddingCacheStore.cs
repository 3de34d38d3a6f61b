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
/// are shared by every server process. Reads are one query per batch; writes and hit counts are
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

    /// <summary>A vector to store (<paramref name="Vector"/> set) or a hit to count (null).</summary>
    public sealed record Pending(string Model, byte[] Hash, float[]? Vector);

    public async Task<Dictionary<string, float[]>> LookupAsync(string model, IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (hashes.Count == 0)
        {
            return found;
        }
        await using var cmd = _dataSource.CreateCommand("SELECT text_hash, embedding FROM embedding_cache WHERE model = $1 AND text_hash = ANY($2)");
        cmd.Parameters.Add(new() { Value = model });
        cmd.Parameters.Add(new() { Value = hashes.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = reader.GetFieldValue<Vector>(1).ToArray();
        }
        return found;
    }

    public void EnqueueWrite(string model, byte[] hash, float[] vector) => TryEnqueue(new Pending(model, hash, vector));

    public void EnqueueHit(string model, byte[] hash) => TryEnqueue(new Pending(model, hash, null));

    protected override async Task WriteBatchAsync(IReadOnlyList<Pending> batch, CancellationToken cancellationToken)
    {
        await using var npgsqlBatch = _dataSource.CreateBatch();
        foreach (var write in batch.Where(p => p.Vector is not null).DistinctBy(p => (p.Model, Convert.ToHexString(p.Hash))))
        {
            npgsqlBatch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO embedding_cache (model, text_hash, embedding) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            {
                Parameters = { new() { Value = write.Model }, new() { Value = write.Hash }, new() { Value = new Vector(write.Vector!) } },
            });
        }
        foreach (var group in batch.Where(p => p.Vector is null).GroupBy(p => p.Model))
        {
            npgsqlBatch.BatchCommands.Add(new NpgsqlBatchCommand(
                "UPDATE embedding_cache SET hits = hits + 1, last_hit_at = now() WHERE model = $1 AND text_hash = ANY($2)")
            {
                Parameters = { new() { Value = group.Key }, new() { Value = group.Select(p => p.Hash).ToArray() } },
            });
        }
        await npgsqlBatch.ExecuteNonQueryAsync(cancellationToken);
    }

    // Entries belong to no account: one the database refuses (a NaN in a vector) finds no account to be
    // filed under, so the writer drops and logs it, which for a cache is the right end anyway.
    protected override RecordKey Describe(Pending record) => new(new AccountId(Guid.Empty), new Guid(record.Hash.AsSpan(0, 16)), Kind);

    protected override void Lost(int count, Exception exception) => LogWriteFailed(_logger, count, exception);

    protected override void Unwritten(long count) => LogUnwritten(_logger, count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} embedding cache entries; they will be recomputed when asked again")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown ended with {Count} embedding cache entries unwritten; they will be recomputed when asked again")]
    private static partial void LogUnwritten(ILogger logger, long count);
}

[JsonSerializable(typeof(EmbeddingCacheStore.Pending))]
internal sealed partial class EmbeddingCacheJson : JsonSerializerContext;
