using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline;

/// <summary>A cached answer and what it was answered from.</summary>
/// <param name="Question">The standalone query the answer was given to (the transcript, or its follow-up rewrite).</param>
/// <param name="DependsOnContext">
/// The answer was shaped by the conversation (a rewritten follow-up, or an LLM that was given the call's
/// history): it is served again only to the very same standalone query, never to a merely similar one.
/// </param>
/// <param name="AgentVersion">When the agent was last edited: its prompt and retrieval settings shaped the answer.</param>
public sealed record CachedAnswer(
    string Question, float[] Embedding, string Answer, IReadOnlyList<SearchHit> Sources, long KnowledgeVersion, bool DependsOnContext = false,
    DateTimeOffset AgentVersion = default);

/// <summary>
/// Per agent: a question whose embedding is within <c>AnswerCacheSimilarity</c> (cosine) of one already
/// answered, against the same version of the account's knowledge and of the agent, gets that answer
/// without the LLM. Any ingest or delete bumps the knowledge version, which invalidates every entry of
/// the account; an edit of the agent (prompt, top K, similarity floor) invalidates the agent's. In process
/// (a linear scan of a bounded list per agent: a few microseconds for hundreds of entries). A turn
/// without a vector (its embedding missed its budget) can still be served by the exact text.
/// </summary>
public sealed class SemanticAnswerCache(IOptions<CallOptions> options)
{
    private readonly ConcurrentDictionary<Guid, LinkedList<CachedAnswer>> _byAgent = new();

    /// <param name="query">The standalone query; a context-dependent entry must match it exactly.</param>
    public CachedAnswer? Find(Guid agentId, string query, ReadOnlyMemory<float> question, long knowledgeVersion, DateTimeOffset agentVersion = default) =>
        Best(agentId, knowledgeVersion, agentVersion, options.Value.AnswerCacheSimilarity,
            entry => entry.DependsOnContext && !SameText(query, entry.Question) ? 0 : VectorSimilarity.Cosine(question.Span, entry.Embedding));

    /// <summary>
    /// The answer to this very question (case, surrounding spaces and end punctuation aside), for a turn
    /// whose embedding missed its budget: a text needs no vector to be looked up.
    /// </summary>
    public CachedAnswer? FindExact(Guid agentId, string question, long knowledgeVersion, DateTimeOffset agentVersion = default) =>
        Best(agentId, knowledgeVersion, agentVersion, 1, entry => SameText(question, entry.Question) ? 1 : 0);

    /// <summary>The entry scoring at least <paramref name="threshold"/>, best first; drops entries of older knowledge or an older agent on the way.</summary>
    private CachedAnswer? Best(Guid agentId, long knowledgeVersion, DateTimeOffset agentVersion, double threshold, Func<CachedAnswer, double> score)
    {
        if (!_byAgent.TryGetValue(agentId, out var entries))
        {
            return null;
        }
        lock (entries)
        {
            CachedAnswer? best = null;
            var bestScore = threshold;
            for (var node = entries.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.KnowledgeVersion != knowledgeVersion || node.Value.AgentVersion != agentVersion)
                {
                    entries.Remove(node);
                }
                else if (score(node.Value) is var s && s >= bestScore)
                {
                    best = node.Value;
                    bestScore = s;
                }
                node = next;
            }
            return best;
        }
    }

    private static bool SameText(string a, string b) =>
        Core(a).Equals(Core(b), StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<char> Core(string text) => text.AsSpan().Trim().TrimEnd("?.!").TrimEnd();

    public void Add(Guid agentId, CachedAnswer answer)
    {
        var limit = options.Value.AnswerCacheEntriesPerAgent;
        if (limit == 0)
        {
            return;
        }
        var entries = _byAgent.GetOrAdd(agentId, _ => new LinkedList<CachedAnswer>());
        lock (entries)
        {
            entries.AddFirst(answer);
            while (entries.Count > limit)
            {
                entries.RemoveLast();
            }
        }
    }
}
