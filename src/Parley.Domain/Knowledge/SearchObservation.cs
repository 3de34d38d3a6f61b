namespace Parley.Domain.Knowledge;

/// <summary>One search as the monitoring side records it.</summary>
/// <param name="SearchMs">The query at the database (what <c>timings.searchMs</c> reports).</param>
/// <param name="EmbedMs">Embedding the query; null when the caller brought its own vector (a phone turn embeds once for the answer cache and the search).</param>
/// <param name="TotalMs">Embedding plus search.</param>
/// <param name="EmbeddingCached">Whether a cache tier served the query's embedding; null when unknown, as for <paramref name="EmbedMs"/>.</param>
/// <param name="Strategy">The plan that ran (<c>exact</c>, <c>hnsw-tenant</c>, <c>hybrid-exact</c>, …).</param>
/// <param name="Results">Passages returned.</param>
public sealed record SearchObservation(double SearchMs, double? EmbedMs, double TotalMs, bool? EmbeddingCached, string Strategy, int Results);
