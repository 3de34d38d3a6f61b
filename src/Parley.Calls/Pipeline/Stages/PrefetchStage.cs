using Parley.Calls.Interim;
using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>prefetch</c>: the passages an interim transcript of this utterance already found
/// (<see cref="InterimPrefetches"/>), used instead of the search. It runs twice, at no cost when the call
/// sent no interim. Before <c>embed</c> it takes the call's prefetches and looks for a finished one of the
/// very same words: then not even the embedding is needed. One of those words still running is not awaited:
/// it waits for the model at API-search priority, behind the turns, so the turn embeds at its own priority
/// instead, and finds it after <c>embed</c> if it finished meanwhile (measured with <c>bench turn --interim
/// --cuts 50,75,90,100</c>, awaiting it made the turn slower under load). After <c>embed</c>, which the
/// answer cache needs anyway, it compares vectors: the closest finished prefetch at cosine ≥
/// <see cref="CallOptions.InterimReuseSimilarity"/> gives its passages. Either way only a prefetch taken
/// against the knowledge version and the agent the turn sees now. Both sides are standalone queries: an
/// interim of a follow-up was rewritten from the same last turn (<see cref="InterimTranscripts"/>) as the
/// final is by <c>rewrite</c>.
/// In process, so it times itself (<c>timings.prefetchMs</c>). The knowledge version comes with the turn's first
/// round trip; it is read here only for a turn that began without it.
/// </summary>
internal sealed class PrefetchStage(InterimPrefetches prefetches, IKnowledgeVersions versions, InterimMetrics metrics, TimeProvider time) : TurnStage
{
    public const string StageName = "prefetch";
    public const string Exact = "exact";
    public const string Similar = "similar";

    public override string Name => StageName;

    public override bool Applies(TurnContext turn) =>
        !turn.Answered && turn.Query is not null && turn.PrefetchMatch is null
        && (turn.Interims is null || (turn.Interims.Count > 0 && turn.Vector is not null && !turn.PrefetchCompared));

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (turn.Interims is { } interims)
        {
            var best = Closest(turn, interims, turn.Vector!);
            if (best is null)
            {
                metrics.Miss(turn.Account);
            }
            else
            {
                metrics.Hit(turn.Account, Similar);
            }
            var elapsed = time.GetElapsedTime(started);
            return StageResult.Succeeded(t =>
            {
                t.PrefetchCompared = true;
                t.RanMore(StageName, elapsed);
                if (best is not null)
                {
                    t.Passages = best.Passages;
                    t.PrefetchMatch = Similar;
                    t.PrefetchTranscript = best.Text;
                }
            });
        }
        var (taken, arrived) = prefetches.Take(turn.Account, turn.CallId);
        if (taken.Count == 0)
        {
            return StageResult.Succeeded(t =>
            {
                t.Interims = [];
                t.InterimsArrived = arrived;
            });
        }
        var version = turn.KnowledgeVersionKnown ? turn.KnowledgeVersion : await versions.VersionAsync(turn.Account, cancellationToken);
        var exact = taken.Select(e => e.Done.Task is { IsCompletedSuccessfully: true, Result: { } done } ? done : null)
            .FirstOrDefault(p => p is not null && InterimEntry.SameText(p.Text, turn.Query!) && Current(turn, p, version));
        if (exact is not null)
        {
            metrics.Hit(turn.Account, Exact);
        }
        var took = time.GetElapsedTime(started);
        return StageResult.Succeeded(t =>
        {
            t.Interims = taken;
            t.InterimsArrived = arrived;
            t.KnowledgeVersion = version;
            t.KnowledgeVersionKnown = true;
            t.RanMore(StageName, took);
            if (exact is not null)
            {
                t.Vector = exact.Vector;
                t.Passages = exact.Passages;
                t.PrefetchMatch = Exact;
                t.PrefetchTranscript = exact.Text;
            }
        });
    }

    /// <summary>The closest finished, current prefetch at or above the threshold; on a tie, the newest (they come newest first).</summary>
    private static Prefetched? Closest(TurnContext turn, IReadOnlyList<InterimEntry> interims, float[] vector)
    {
        Prefetched? best = null;
        var bestScore = turn.Options.InterimReuseSimilarity;
        foreach (var entry in interims)
        {
            if (entry.Done.Task is { IsCompletedSuccessfully: true, Result: { } done } && Current(turn, done, turn.KnowledgeVersion)
                && VectorSimilarity.Cosine(vector, done.Vector) is var score && score >= bestScore && (best is null || score > bestScore))
            {
                best = done;
                bestScore = score;
            }
        }
        return best;
    }

    private static bool Current(TurnContext turn, Prefetched prefetched, long version) =>
        prefetched.KnowledgeVersion == version && prefetched.AgentId == turn.Agent.Id && prefetched.AgentVersion == turn.Agent.UpdatedAt;
}
