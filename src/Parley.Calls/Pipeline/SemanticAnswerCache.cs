using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline;

/// <summary>A cached answer and what it was answered from.</summary>
public sealed record CachedAnswer(string Question, float[] Embedding, string Answer, IReadOnlyList<SearchHit> Sources, long KnowledgeVersion);

/// <summary>
/// Per agent: a question whose embedding is within <c>AnswerCacheSimilarity</c> (cosine) of one already
/// answered, against the same version of the account's knowledge, gets that answer without the LLM.
/// Any ingest or delete bumps the version, which invalidates every entry of the account. In process
/// (a linear scan of a bounded list per agent: a few microseconds for hundreds of entries).
/// </summary>
public sealed class SemanticAnswerCache(IOptions<CallOptions> options)
{
    private readonly ConcurrentDictionary<Guid, LinkedList<CachedAnswer>> _byAgent = new();

    public CachedAnswer? Find(Guid agentId, ReadOnlySpan<float> question, long knowledgeVersion)
    {
        if (!_byAgent.TryGetValue(agentId, out var entries))
        {
            return null;
        }
        lock (entries)
        {
            CachedAnswer? best = null;
            var bestScore = options.Value.AnswerCacheSimilarity;
            for (var node = entries.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.KnowledgeVersion != knowledgeVersion)
                {
                    entries.Remove(node);
                }
                else
                {
                    var score = Cosine(question, node.Value.Embedding);
                    if (score >= bestScore)
                    {
                        best = node.Value;
                        bestScore = score;
                    }
                }
                node = next;
            }
            return best;
        }
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

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
