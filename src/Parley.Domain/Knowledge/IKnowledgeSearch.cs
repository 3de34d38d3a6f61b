namespace Parley.Domain.Knowledge;

/// <summary>
/// The design's RAGService as the rest of Parley sees it: the top-k passages of one tenant's
/// knowledge base for a question. Implemented by the knowledge side on the raw driver.
/// </summary>
public interface IKnowledgeSearch
{
    Task<SearchResponse> SearchAsync(AccountId account, SearchRequest request, CancellationToken cancellationToken);

    /// <summary>Same, with a query vector already computed (the call orchestrator embeds once and reuses it).</summary>
    Task<SearchResponse> SearchAsync(AccountId account, SearchRequest request, ReadOnlyMemory<float> queryVector, CancellationToken cancellationToken);
}
