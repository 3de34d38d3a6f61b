namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// What one attempt of a stage produced. A stage does not write the turn while it runs: it returns
/// <see cref="Apply"/>, which the runner calls once the attempt succeeded within its budget, so the
/// choice between a result and the fallback is the runner's alone: a stage cut off while its provider
/// has not yet noticed the cancellation can never touch a turn that has moved on to its fallback.
/// </summary>
internal readonly record struct StageResult(StageOutcome Outcome, Action<TurnContext>? Apply, string? Reason, Exception? Error)
{
    public static StageResult Succeeded(Action<TurnContext>? apply = null) => new(StageOutcome.Succeeded, apply, null, null);

    public static StageResult Retryable(string reason, Exception? error = null) => new(StageOutcome.Retryable, null, reason, error);

    public static StageResult Fatal(string reason, Exception? error = null) => new(StageOutcome.Fatal, null, reason, error);
}
