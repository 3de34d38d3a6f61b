using System.Text;
using System.Text.Json;
using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Knowledge.Search;

/// <summary>What a search request must hold before it reaches the database.</summary>
public sealed partial class KnowledgeSearch
{
    // Typed: a bare null beside a ReadOnlyMemory converts through its float[] operator to an empty
    // vector, not to "no vector", and full text would then be refused for a vector of 0 dimensions.
    private static readonly ReadOnlyMemory<float>? NoVector = null;

    private void Validate(SearchRequest request, bool queryRequired, ReadOnlyMemory<float>? queryVector = null)
    {
        new Validation()
            .Require(queryVector is not { } v || v.Length == schema.Dimensions, "vector",
                $"vector must have {schema.Dimensions} dimensions (this knowledge base's); it has {queryVector?.Length}.")
            .Require(queryVector is not { } w || w.Span.ContainsAnyExcept(0f), "vector", "vector must not be all zeros: it has no direction to compare.")
            .Require(request.Filter is null || Encoding.UTF8.GetByteCount(request.Filter.Value.GetRawText()) <= JsonLimits.FilterBytes, "filter",
                $"filter is larger than {JsonLimits.FilterBytes} bytes.")
            .Require(!queryRequired || !string.IsNullOrWhiteSpace(request.Query), "query", "query is required.")
            .Require(request.Query is null || request.Query.Length <= MaxQueryLength, "query", $"query is longer than {MaxQueryLength} characters.")
            .Require(request.TopK >= 1 && request.TopK <= options.Value.MaxTopK, "topK", $"topK must be between 1 and {options.Value.MaxTopK}.")
            .Require(request.MinSimilarity is null or (>= -1 and <= 1), "minSimilarity", "minSimilarity must be between -1 and 1.")
            .Require(request.Filter is null || request.Filter.Value.ValueKind is JsonValueKind.Object, "filter", "filter must be a JSON object, e.g. {\"tags\": [\"menu\"]}.")
            .ThrowIfInvalid();
    }
}
