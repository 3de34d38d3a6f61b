namespace Parley.Monitoring.Performance;

/// <summary>The design's getRAGMetrics for one account over a window (<c>GET /v1/metrics/rag</c>).</summary>
/// <param name="AverageSearchMs">Mean time of the query at the database.</param>
/// <param name="CacheHitRate">Share of searches whose query embedding a cache tier served (searches that embedded their own query).</param>
/// <param name="AverageEmbeddingMs">Mean time to embed the query, cache hits included.</param>
public sealed record RagMetrics(
    double AverageSearchMs,
    double P50SearchMs,
    double P95SearchMs,
    double P99SearchMs,
    double CacheHitRate,
    double AverageEmbeddingMs,
    long TotalSearches,
    string Window);
