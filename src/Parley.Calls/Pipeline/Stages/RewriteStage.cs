using Parley.Calls.Conversation;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>rewrite</c>: a follow-up that leans on the conversation ("and on Sundays?") becomes a standalone
/// query before anything is embedded, searched or looked up in the answer cache, so retrieval and the
/// cache see what the caller means, not what they literally said. The local rule
/// (<see cref="FollowUpRewriter"/>) costs microseconds, so it runs in process without a budget; it times
/// itself (the runner times only budgeted stages) so <c>timings.rewriteMs</c> shows what it adds.
/// Off when <see cref="CallOptions.RewriteFollowUps"/> is false.
/// </summary>
internal sealed class RewriteStage(TimeProvider time) : TurnStage
{
    public const string StageName = "rewrite";

    public override string Name => StageName;

    public override bool Applies(TurnContext turn) => turn.Options.RewriteFollowUps && !turn.Answered && turn.Transcript is not null;

    public override Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var query = FollowUpRewriter.Rewrite(turn.Transcript!, turn.History.Count > 0 ? [turn.History[^1].Query] : []);
        var elapsed = time.GetElapsedTime(started);
        return Task.FromResult(StageResult.Succeeded(t =>
        {
            t.Ran(StageName, elapsed);
            if (query.Rewritten)
            {
                t.Query = query.Text;
                t.QueryRewritten = true;
            }
        }));
    }
}
