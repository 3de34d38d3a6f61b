namespace Parley.Monitoring.Performance;

/// <summary>Time buckets for the admin page's charts (<c>GET /v1/metrics/series</c>); buckets without searches or turns are left out.</summary>
public sealed record MetricsSeries(string Step, IReadOnlyList<SeriesPoint> Points);

/// <summary>One bucket, starting at <see cref="At"/>: searches from the per-search records, turns from the call log. Null where the bucket had none.</summary>
public sealed record SeriesPoint(
    DateTimeOffset At,
    long Searches,
    double? P50SearchMs,
    double? P95SearchMs,
    double? CacheHitRate,
    long Turns,
    double? AvgTurnMs,
    double? AvgEmbedMs,
    double? AvgSearchMs,
    double? AvgLlmMs,
    double? AvgTtsMs);
