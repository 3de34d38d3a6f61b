using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// The answer cache, in process: a question close to one already answered (same agent and agent version, same
/// knowledge version) gets its answer and sources; without a vector, only the very same text does. It runs for
/// every turn, since it reads the knowledge version the turn records; a turn already answered ("not heard")
/// takes the version and skips the lookup.
/// </summary>
internal sealed class AnswerCacheStage(IKnowledgeVersions versions, SemanticAnswerCache cache, CallMetrics metrics) : TurnStage
{
    public override string Name => "answer-cache";

    public override bool Applies(TurnContext turn) => true;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var version = turn.KnowledgeVersionKnown ? turn.KnowledgeVersion : await versions.VersionAsync(turn.Account, cancellationToken);
        if (turn.Answered)
        {
            return StageResult.Succeeded(t => t.KnowledgeVersion = version);
        }
        var hit = turn.Vector is { } vector
            ? cache.Find(turn.Agent.Id, turn.Query!, vector, version, turn.Agent.UpdatedAt)
            : cache.FindExact(turn.Agent.Id, turn.Query!, version, turn.Agent.UpdatedAt);
        metrics.AnswerCache(turn.Account, hit is not null);
        return StageResult.Succeeded(t =>
        {
            t.KnowledgeVersion = version;
            if (hit is not null)
            {
                t.Cached = hit;
                t.Answer = hit.Answer;
                t.Passages = hit.Sources;
            }
        });
    }
}
