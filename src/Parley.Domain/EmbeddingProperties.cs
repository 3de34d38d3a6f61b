namespace Parley.Domain;

/// <summary>
/// Names of the <c>AdditionalProperties</c> that travel with embedding requests and results between the
/// caching generator and its callers (knowledge side, call orchestrator), which do not reference each other.
/// </summary>
public static class EmbeddingProperties
{
    /// <summary>On a request: the account asking, so cache and timing metrics are per account.</summary>
    public const string Account = "parley.account_id";

    /// <summary>On a result: 1 or 2 when a cache tier served it, 0 when the model computed it.</summary>
    public const string CacheTier = "parley.cache.tier";

    /// <summary>On a request: an <see cref="EmbeddingPriority"/> (or its name); none means <see cref="EmbeddingPriority.Search"/>.</summary>
    public const string Priority = "parley.priority";

    /// <summary>The priority a request carries, <see cref="EmbeddingPriority.Search"/> when it says none.</summary>
    public static EmbeddingPriority PriorityOf(IReadOnlyDictionary<string, object?>? properties) =>
        properties is not null && properties.TryGetValue(Priority, out var value)
            ? value switch
            {
                EmbeddingPriority p => p,
                string s when Enum.TryParse<EmbeddingPriority>(s, ignoreCase: true, out var p) => p,
                _ => EmbeddingPriority.Search,
            }
            : EmbeddingPriority.Search;
}
