namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// What one attempt of a stage produced. A stage does not write the turn while it runs: it returns
/// <see cref="Apply"/>, which the runner calls once the attempt succeeded, so the choice between a
/// result and the fallback is the runner's alone, and a stage run beside others (a prefetch, speech
/// per sentence while the answer streams) cannot leave half a result in the turn.
/// </summary>
internal readonly record struct StageResult(StageOutcome Outcome, Action<TurnContext>? Apply, string? Reason, Exception? Error)
{
    public static StageResult Succeeded(Action<TurnContext>? apply = null) => new(StageOutcome.Succeeded, apply, null, null);

    public static StageResult Retryable(string reason, Exception? error = null) => new(StageOutcome.Retryable, null, reason, error);

    public static StageResult Fatal(string reason, Exception? error = null) => new(StageOutcome.Fatal, null, reason, error);
}
