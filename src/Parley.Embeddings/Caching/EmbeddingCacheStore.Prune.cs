using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Embeddings.Caching;

/// <summary>Keeping tier 2 bounded.</summary>
public sealed partial class EmbeddingCacheStore
{
    /// <summary>
    /// One pruning pass, by the one leader among server processes (null when another holds the lead):
    /// entries unused for <paramref name="maxAge"/>, then each account's least recently used past
    /// <paramref name="perAccount"/>, then everyone's past <paramref name="total"/>. Returns the entries deleted.
    /// </summary>
    /// <remarks>
    /// The two caps rank the whole table (a scan, hourly by default, on the leader only): at the default
    /// cap of 2 000 000 entries that is a few seconds of one core, off every request's path.
    /// </remarks>
    public async Task<long?> PruneAsync(TimeSpan maxAge, int perAccount, int total, CancellationToken cancellationToken)
    {
        await using var leader = await _dataSource.TryLeadAsync(SingletonJob.EmbeddingCachePrune, TenantScope.Platform, cancellationToken);
        if (leader is null)
        {
            return null;
        }
        await using var batch = new NpgsqlBatch(leader.Connection)
        {
            BatchCommands =
            {
                new("DELETE FROM embedding_cache WHERE last_hit_at < now() - $1") { Parameters = { new() { Value = maxAge } } },
                new("""
                    DELETE FROM embedding_cache c USING (
                      SELECT account_id, model, text_hash,
                             row_number() OVER (PARTITION BY account_id ORDER BY last_hit_at DESC, created_at DESC) AS n
                      FROM embedding_cache) r
                    WHERE r.n > $1 AND c.account_id = r.account_id AND c.model = r.model AND c.text_hash = r.text_hash
                    """) { Parameters = { new() { Value = (long)perAccount } } },
                new("""
                    DELETE FROM embedding_cache c USING (
                      SELECT account_id, model, text_hash FROM embedding_cache
                      ORDER BY last_hit_at DESC, created_at DESC OFFSET $1) r
                    WHERE c.account_id = r.account_id AND c.model = r.model AND c.text_hash = r.text_hash
                    """) { Parameters = { new() { Value = (long)total } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        long deleted = 0;
        foreach (var command in batch.BatchCommands)
        {
            deleted += command.RecordsAffected;
        }
        return deleted;
    }
}
