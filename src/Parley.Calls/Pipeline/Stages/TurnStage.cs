namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// One named step of a phone turn. The stage says what it does, whether it applies to this turn, and
/// what the turn gets instead when it cannot; <see cref="TurnStageRunner"/> owns everything around it
/// (budget, retries, fallback, span, metric, the <c>degraded</c> mark), so a new stage (a follow-up
/// rewritten into a standalone query before <c>embed</c>, an interim-transcript prefetch) is one small
/// type placed in <see cref="TurnStages"/>, and a stage that streams (answer deltas, speech per
/// sentence) publishes through thread-safe sinks on the turn while it runs and leaves its final
/// result through <see cref="StageResult.Apply"/>.
/// </summary>
internal abstract class TurnStage
{
    /// <summary>Names the span (<c>turn {name}</c>), the <c>parley.stage</c> tag, the mark in <c>degraded</c> and the timing.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The stage's budget; null for an in-process step (a cache lookup, the call log) that gets no
    /// timer, span nor timing, and whose failure is a bug that fails the turn.
    /// </summary>
    public virtual TimeSpan? Budget(CallOptions options) => null;

    /// <summary>Whether the stage also counts against <see cref="CallOptions.TurnBudgetMs"/>, which runs from the transcript on.</summary>
    public virtual bool WithinTurnBudget => true;

    /// <summary>Attempts within the budget when an attempt is <see cref="StageOutcome.Retryable"/>.</summary>
    public virtual int MaxAttempts => 1;

    /// <summary>Whether the stage has work in this turn; one that does not has no span, timing nor metric.</summary>
    public abstract bool Applies(TurnContext turn);

    /// <summary>One attempt. Reads the turn, never writes it (see <see cref="StageResult"/>).</summary>
    public abstract Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken);

    /// <summary>What the turn gets when the stage missed its budget or failed.</summary>
    public virtual void FallBack(TurnContext turn)
    {
    }
}
