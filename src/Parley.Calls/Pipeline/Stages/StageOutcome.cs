namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// How a stage's attempt ended, after kernel-memory's pipeline handlers (success / transient / fatal).
/// A turn never fails on a provider: a stage that does not succeed leaves its fallback, and the turn
/// goes on degraded.
/// </summary>
internal enum StageOutcome
{
    Succeeded,

    /// <summary>It may work if tried again: the runner retries while the stage allows more attempts and its budget lasts.</summary>
    Retryable,

    /// <summary>Trying again will not help (a provider refused the input): the fallback, now.</summary>
    Fatal,
}
