using System.Text.Json;

namespace Parley.Domain.Knowledge;

public sealed record SearchHit(Guid ChunkId, Guid DocumentId, string Title, string Content, JsonElement Metadata, double Similarity);

public sealed record SearchTimings(double EmbedMs, double SearchMs, double TotalMs);

/// <summary>The passages, how long each step took, and which plan ran (<c>exact</c>, <c>hnsw-partial</c>, …).</summary>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Results, SearchTimings Timings, string Strategy);
