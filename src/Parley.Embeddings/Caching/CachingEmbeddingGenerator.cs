using System.Diagnostics;
using Microsoft.Extensions.AI;
using Parley.Domain;

namespace Parley.Embeddings.Caching;

/// <summary>
/// The design's EmbeddingCacheService as a decorator over any generator: tier 1 in process (bounded
/// LRU), tier 2 in PostgreSQL (<see cref="EmbeddingCacheStore"/>), then the model itself. Both tiers
/// are keyed per account: a tenant is served only vectors it asked for itself, so a fast answer
/// (<c>timings.embedMs</c>) says nothing about what other tenants embedded. A request with no account
/// (the CLI's <c>embed</c>, the benchmarks) uses tier 1 only, under a key of its own.
/// </summary>
public sealed class CachingEmbeddingGenerator(
    IEmbeddingGenerator<string, Embedding<float>> inner,
    string model,
    string provider,
    LruCache<string, float[]> memory,
    EmbeddingCacheStore? store,
    EmbeddingMetrics metrics) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner), IEmbeddingCachePurge
{
    /// <summary>Callers put the account id here so cache and timing metrics are per account.</summary>
    public const string AccountProperty = EmbeddingProperties.Account;

    /// <summary>Set on each returned embedding: 1 or 2 when a cache tier served it, 0 when the model computed it.</summary>
    public const string TierProperty = EmbeddingProperties.CacheTier;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var account = options?.AdditionalProperties?.TryGetValue(AccountProperty, out var a) == true ? a?.ToString() : null;
        AccountId? owner = Guid.TryParse(account, out var id) ? new AccountId(id) : null;
        var prefix = owner is { } o ? o.Value.ToString("N") : "-";
        var result = new float[texts.Count][];
        var tiers = new int[texts.Count];
        var hashes = new byte[texts.Count][];
        var keys = new string[texts.Count];
        var missing = new List<int>();
        for (var i = 0; i < texts.Count; i++)
        {
            hashes[i] = EmbeddingCacheKey.Hash(model, texts[i]);
            keys[i] = Key(prefix, hashes[i]);
            if (memory.TryGet(keys[i], out var v))
            {
                result[i] = v;
                tiers[i] = 1;
            }
            else
            {
                missing.Add(i);
            }
        }
        metrics.Hit(1, texts.Count - missing.Count, account);

        if (missing.Count > 0 && store is not null && owner is { } tenant)
        {
            var found = (await store.LookupAsync(tenant, model, missing.Select(i => hashes[i]).Distinct().ToList(), cancellationToken))
                .ToDictionary(f => Key(prefix, Convert.FromHexString(f.Key)), f => f.Value, StringComparer.Ordinal);
            var stillMissing = new List<int>();
            foreach (var i in missing)
            {
                if (found.TryGetValue(keys[i], out var v))
                {
                    result[i] = v;
                    tiers[i] = 2;
                    memory.Set(keys[i], v);
                    store.EnqueueHit(tenant, model, hashes[i]);
                }
                else
                {
                    stillMissing.Add(i);
                }
            }
            metrics.Hit(2, missing.Count - stillMissing.Count, account);
            missing = stillMissing;
        }

        if (missing.Count > 0)
        {
            metrics.Miss(missing.Count, account);
            // Identical texts in one batch are embedded once.
            var unique = missing.GroupBy(i => keys[i]).Select(g => g.ToList()).ToList();
            var started = Stopwatch.GetTimestamp();
            var generated = await base.GenerateAsync(unique.Select(g => texts[g[0]]), options, cancellationToken);
            metrics.Generated(Stopwatch.GetElapsedTime(started), provider, model, account);
            for (var u = 0; u < unique.Count; u++)
            {
                var vector = generated[u].Vector.ToArray();
                var first = unique[u][0];
                memory.Set(keys[first], vector);
                if (owner is { } writer)
                {
                    store?.EnqueueWrite(writer, model, hashes[first], vector);
                }
                foreach (var i in unique[u])
                {
                    result[i] = vector;
                }
            }
        }
        return new GeneratedEmbeddings<Embedding<float>>(result.Select((v, i) => new Embedding<float>(v)
        {
            ModelId = model,
            AdditionalProperties = new() { [TierProperty] = tiers[i] },
        }));
    }

    /// <summary>Forgets the account's vectors of these texts in both tiers (this process's tier 1; other processes' age out).</summary>
    public async Task PurgeAsync(AccountId account, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var prefix = account.Value.ToString("N");
        var hashes = texts.Select(t => EmbeddingCacheKey.Hash(model, t)).DistinctBy(Convert.ToHexString).ToList();
        foreach (var hash in hashes)
        {
            memory.Remove(Key(prefix, hash));
        }
        if (store is not null && hashes.Count > 0)
        {
            await store.PurgeAsync(account, model, hashes, cancellationToken);
        }
    }

    private static string Key(string prefix, byte[] hash) => $"{prefix}:{Convert.ToHexString(hash)}";
}
