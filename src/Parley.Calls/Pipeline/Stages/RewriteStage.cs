using Parley.Calls.Conversation;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>rewrite</c>: a follow-up that leans on the conversation ("and on Sundays?") becomes a standalone
/// query before anything is embedded, searched or looked up in the answer cache, so retrieval and the
/// cache see what the caller means, not what they literally said. The local rule
/// (<see cref="FollowUpRewriter"/>) costs microseconds, so alone it runs in process without a budget and
/// times itself (the runner times only budgeted stages) so <c>timings.rewriteMs</c> shows what it adds.
/// With <see cref="CallOptions.LlmRewrite"/> the stage has <see cref="CallOptions.RewriteBudgetMs"/>, and a
/// turn the local rule marks as a follow-up asks the LLM (<see cref="LlmFollowUpRewriter"/>); cut off,
/// failed or unusable, the runner falls back to the local rewrite and marks <c>degraded: ["rewrite"]</c>.
/// The turn says which one it used (<see cref="TurnContext.Rewrite"/>). Off when
/// <see cref="CallOptions.RewriteFollowUps"/> is false.
/// </summary>
internal sealed class RewriteStage(TimeProvider time, LlmFollowUpRewriter? llm = null) : TurnStage
{
    public const string StageName = "rewrite";

    /// <summary><see cref="TurnContext.Rewrite"/> when the LLM's question was used.</summary>
    public const string ByLlm = "llm";

    /// <summary><see cref="TurnContext.Rewrite"/> when the local rule's query was used.</summary>
    public const string ByLocalRule = "local";

    public override string Name => StageName;

    // One stage, one name, one timing: the LLM refines the same step, so its budget is this stage's.
    // With the LLM on, a plain question also runs under the budget, but only through the local rule.
    public override TimeSpan? Budget(CallOptions options) =>
        options.LlmRewrite && llm is not null ? TimeSpan.FromMilliseconds(options.RewriteBudgetMs) : null;

    public override bool Applies(TurnContext turn) => turn.Options.RewriteFollowUps && !turn.Answered && turn.Transcript is not null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var local = Local(turn);
        if (!local.Rewritten || llm is null || !turn.Options.LlmRewrite)
        {
            var elapsed = time.GetElapsedTime(started);
            return StageResult.Succeeded(t =>
            {
                t.Ran(StageName, elapsed);
                Use(t, local, ByLocalRule);
            });
        }
        var reply = await llm.RewriteAsync(turn.Transcript!, turn.History, cancellationToken);
        if (reply.Query is not { } question)
        {
            return StageResult.Fatal("unusable reply");
        }
        // The model may judge the follow-up to stand alone after all: then it is searched and cached as said.
        var standalone = !string.Equals(question.Trim(), turn.Transcript!.Trim(), StringComparison.OrdinalIgnoreCase);
        return StageResult.Succeeded(t =>
        {
            t.RewriteUsage = reply.Usage;
            t.Rewrite = ByLlm;
            if (standalone)
            {
                t.Query = question;
                t.QueryRewritten = true;
            }
        });
    }

    /// <summary>The local rewrite: what a turn gets when the LLM missed its budget, failed or replied nothing usable.</summary>
    public override void FallBack(TurnContext turn) => Use(turn, Local(turn), ByLocalRule);

    private static StandaloneQuery Local(TurnContext turn) =>
        FollowUpRewriter.Rewrite(turn.Transcript!, turn.History.Count > 0 ? [turn.History[^1].Query] : []);

    private static void Use(TurnContext turn, StandaloneQuery query, string by)
    {
        if (query.Rewritten)
        {
            turn.Query = query.Text;
            turn.QueryRewritten = true;
            turn.Rewrite = by;
        }
    }
}
