using System.Text.Json;

namespace Parley.Domain.Knowledge;

/// <summary>Search modes: pure vector similarity, vector fused with full-text rank, or full-text rank alone.</summary>
public enum SearchMode
{
    Vector,
    Hybrid,

    /// <summary>
    /// Full-text rank only, no query vector: what a phone turn falls back to when the embedding of the
    /// question missed its budget. Any of the question's words may match; <see cref="SearchHit.Similarity"/>
    /// is then the normalised text rank in [0, 1), not a cosine.
    /// </summary>
    FullText,
}

/// <summary>A search over one tenant's knowledge base.</summary>
/// <param name="Query">The question, as spoken or typed.</param>
/// <param name="TopK">How many passages (1..100).</param>
/// <param name="MinSimilarity">Cosine similarity floor in [-1, 1]; passages below are dropped.</param>
/// <param name="Filter">JSON object the chunk metadata must contain (<c>@&gt;</c>), e.g. <c>{"tags":["menu"]}</c>.</param>
/// <param name="Mode">Vector only, hybrid (vector + full text, fused by reciprocal rank), or full text only.</param>
public sealed record SearchRequest(string Query, int TopK = 5, double? MinSimilarity = null, JsonElement? Filter = null, SearchMode Mode = SearchMode.Vector);
