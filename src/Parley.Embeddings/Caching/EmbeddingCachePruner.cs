using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Parley.Embeddings.Caching;

/// <summary>Prunes tier 2 of the embedding cache every <see cref="EmbeddingOptions.CachePruneMinutes"/> (one process at a time).</summary>
internal sealed partial class EmbeddingCachePruner(
    EmbeddingCacheStore store, IOptions<EmbeddingOptions> options, TimeProvider time, ILogger<EmbeddingCachePruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.PersistentCache)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(o.CachePruneMinutes), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await store.PruneAsync(TimeSpan.FromDays(o.CacheMaxAgeDays), o.CacheMaxEntriesPerAccount, o.CacheMaxEntries, stoppingToken) is { } pruned)
                    {
                        LogPruned(logger, pruned);
                    }
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    LogPruneFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned {Count} embedding cache entries")]
    private static partial void LogPruned(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the embedding cache failed; the next pass tries again")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
