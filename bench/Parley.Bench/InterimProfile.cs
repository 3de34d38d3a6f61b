using Microsoft.Extensions.AI;
using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Bench;

/// <summary>
/// What the reuse threshold trades, measured apart from the timed runs: each distinct question and its
/// interim cuts embedded and searched as the agent would (top 3), then, for a range of thresholds, how many
/// questions would reuse a cut (the closest one at or above the threshold, as the <c>prefetch</c> stage
/// picks) and how often that cut's first passage is the question's own first passage.
/// </summary>
internal static class InterimProfile
{
    private static readonly double[] Thresholds = [0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

    public sealed record Point(double Similarity, double ReuseRate, double FirstSourceAgreement, double Top3Overlap);

    public static async Task<List<Point>> MeasureAsync(
        IEmbeddingGenerator<string, Embedding<float>> embeddings, IKnowledgeSearch search, AccountId account,
        IEnumerable<(string Final, List<string> Cuts)> questions, CancellationToken cancellationToken)
    {
        // Per question: the best cut's cosine, and whether its passages are the final's.
        var measured = new List<(double Cosine, bool SameFirst, double Overlap)>();
        foreach (var (final, all) in questions)
        {
            // A cut of all the words (--cuts …,100) is reused by its text, whatever the threshold.
            var cuts = all.Where(c => c != final).ToList();
            if (cuts.Count == 0)
            {
                continue;
            }
            var texts = cuts.Prepend(final).ToList();
            var vectors = (await embeddings.GenerateAsync(texts, null, cancellationToken)).Select(e => e.Vector.ToArray()).ToList();
            var tops = new List<IReadOnlyList<SearchHit>>();
            for (var i = 0; i < texts.Count; i++)
            {
                tops.Add((await search.SearchAsync(account, new SearchRequest(texts[i], 3), vectors[i], cancellationToken)).Results);
            }
            var best = Enumerable.Range(1, cuts.Count).MaxBy(i => Cosine(vectors[0], vectors[i]));
            var own = tops[0].Select(h => h.ChunkId).ToHashSet();
            measured.Add((Cosine(vectors[0], vectors[best]),
                tops[0].Count > 0 && tops[best].Count > 0 && tops[0][0].ChunkId == tops[best][0].ChunkId,
                own.Count == 0 ? 0 : tops[best].Count(h => own.Contains(h.ChunkId)) / (double)own.Count));
        }
        return Thresholds.Select(t =>
        {
            var reused = measured.Where(m => m.Cosine >= t).ToList();
            return new Point(t, measured.Count == 0 ? 0 : Math.Round(reused.Count / (double)measured.Count, 4),
                reused.Count == 0 ? 0 : Math.Round(reused.Count(m => m.SameFirst) / (double)reused.Count, 4),
                reused.Count == 0 ? 0 : Math.Round(reused.Average(m => m.Overlap), 4));
        }).ToList();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
