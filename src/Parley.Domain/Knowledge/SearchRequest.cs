using System.Text.Json;

namespace Parley.Domain.Knowledge;

/// <summary>Search modes: pure vector similarity, or vector fused with full-text rank.</summary>
public enum SearchMode
{
    Vector,
    Hybrid,
}

/// <summary>A search over one tenant's knowledge base.</summary>
/// <param name="Query">The question, as spoken or typed.</param>
/// <param name="TopK">How many passages (1..100).</param>
/// <param name="MinSimilarity">Cosine similarity floor in [-1, 1]; passages below are dropped.</param>
/// <param name="Filter">JSON object the chunk metadata must contain (<c>@&gt;</c>), e.g. <c>{"tags":["menu"]}</c>.</param>
/// <param name="Mode">Vector only, or hybrid (vector + full text, fused by reciprocal rank).</param>
public sealed record SearchRequest(string Query, int TopK = 5, double? MinSimilarity = null, JsonElement? Filter = null, SearchMode Mode = SearchMode.Vector);
