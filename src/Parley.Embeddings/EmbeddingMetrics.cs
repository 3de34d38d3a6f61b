using System.Diagnostics.Metrics;

namespace Parley.Embeddings;

/// <summary>
/// Meter <c>Parley.Embeddings</c>: cache hits and misses per tier and the time real generation takes,
/// tagged by account where the caller said which.
/// </summary>
public sealed class EmbeddingMetrics
{
    public const string MeterName = "Parley.Embeddings";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Histogram<double> _duration;
    private long _tier1Hits;
    private long _tier2Hits;
    private long _misses2;

    public EmbeddingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _hits = meter.CreateCounter<long>("parley.embedding.cache.hits", "{embedding}", "Embeddings served from the cache, by tier");
        _misses = meter.CreateCounter<long>("parley.embedding.cache.misses", "{embedding}", "Embeddings the cache did not hold");
        _duration = meter.CreateHistogram<double>("parley.embedding.duration", "s", "Time to generate embeddings (cache misses only)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    public long Tier1Hits => Interlocked.Read(ref _tier1Hits);
    public long Tier2Hits => Interlocked.Read(ref _tier2Hits);
    public long Misses => Interlocked.Read(ref _misses2);

    /// <summary>Share of lookups served by either tier since start.</summary>
    public double HitRate
    {
        get
        {
            var hits = Tier1Hits + Tier2Hits;
            var total = hits + Misses;
            return total == 0 ? 0 : hits / (double)total;
        }
    }

    public void Hit(int tier, int count, string? account)
    {
        if (count == 0)
        {
            return;
        }
        Interlocked.Add(ref tier == 1 ? ref _tier1Hits : ref _tier2Hits, count);
        _hits.Add(count, new("tier", tier), new("parley.account.id", account ?? "none"));
    }

    public void Miss(int count, string? account)
    {
        if (count == 0)
        {
            return;
        }
        Interlocked.Add(ref _misses2, count);
        _misses.Add(count, new KeyValuePair<string, object?>("parley.account.id", account ?? "none"));
    }

    public void Generated(TimeSpan elapsed, string provider, string model, string? account) =>
        _duration.Record(elapsed.TotalSeconds, new("provider", provider), new("model", model), new("parley.account.id", account ?? "none"));
}
