using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Parley.Data;
using Pgvector;

namespace Parley.Embeddings.Caching;

/// <summary>
/// Tier 2 of the embedding cache: the <c>embedding_cache</c> table, so vectors survive restarts and
/// are shared by every server process. Reads are one query per batch; writes and hit counts go
/// through a bounded channel and are written in batches off the hot path (a full channel drops: it is
/// a cache, losing an entry costs one recomputation).
/// </summary>
public sealed partial class EmbeddingCacheStore(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
    ILogger<EmbeddingCacheStore> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly SemaphoreSlim _writer = new(1, 1);

    private sealed record Pending(string Model, byte[] Hash, float[]? Vector);

    public async Task<Dictionary<string, float[]>> LookupAsync(string model, IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (hashes.Count == 0)
        {
            return found;
        }
        await using var cmd = dataSource.CreateCommand("SELECT text_hash, embedding FROM embedding_cache WHERE model = $1 AND text_hash = ANY($2)");
        cmd.Parameters.Add(new() { Value = model });
        cmd.Parameters.Add(new() { Value = hashes.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = reader.GetFieldValue<Vector>(1).ToArray();
        }
        return found;
    }

    public void EnqueueWrite(string model, byte[] hash, float[] vector) => _queue.Writer.TryWrite(new Pending(model, hash, vector));

    public void EnqueueHit(string model, byte[] hash) => _queue.Writer.TryWrite(new Pending(model, hash, null));

    /// <summary>Writes everything queued so far (tests; shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Pending>();
        while (_queue.Reader.TryRead(out var p))
        {
            batch.Add(p);
        }
        await WriteAsync(batch, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new List<Pending>();
                while (batch.Count < 500 && _queue.Reader.TryRead(out var p))
                {
                    batch.Add(p);
                }
                await WriteAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task WriteAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var npgsqlBatch = dataSource.CreateBatch();
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
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogWriteFailed(logger, batch.Count, e);
        }
        finally
        {
            _writer.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} embedding cache entries; they will be recomputed when asked again")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
