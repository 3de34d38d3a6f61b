using Microsoft.Extensions.AI;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Transactional.Agents;

namespace Parley.Calls.Interim;

/// <summary>
/// The work of one prefetch: the interim's embedding, asked at <see cref="EmbeddingPriority.Search"/> so the
/// local model serves every waiting turn first, then the agent's search through the same
/// <see cref="IKnowledgeSearch"/> as the turn's <c>search</c> stage (its tenant predicate and row security).
/// </summary>
internal sealed class InterimSearch(
    IEmbeddingGenerator<string, Embedding<float>> embeddings, IKnowledgeSearch search, IKnowledgeVersions versions)
{
    public async Task<Prefetched> RunAsync(AccountId account, Agent agent, string text, CancellationToken cancellationToken)
    {
        var generation = new EmbeddingGenerationOptions { AdditionalProperties = new()
        {
            [EmbeddingProperties.Account] = account.ToString(),
            [EmbeddingProperties.Priority] = EmbeddingPriority.Search,
        } };
        var vector = (await embeddings.GenerateVectorAsync(text, generation, cancellationToken)).ToArray();
        // Read before the search: a document deleted while the search runs leaves the prefetch marked with
        // the older version (never used), where a version read after it could vouch for a deleted passage.
        var version = await versions.VersionAsync(account, cancellationToken);
        var request = new SearchRequest(text, agent.TopK, null, null, agent.Hybrid ? SearchMode.Hybrid : SearchMode.Vector);
        var response = await search.SearchAsync(account, request, vector, cancellationToken);
        return new Prefetched(text, vector, response.Results, version, agent.Id, agent.UpdatedAt);
    }
}
