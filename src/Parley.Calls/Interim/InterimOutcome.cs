namespace Parley.Calls.Interim;

/// <summary>What became of an interim transcript: whether it will be searched, and if not, why.</summary>
/// <param name="Started">True when its prefetch started, or waits behind the call's running one (<see cref="Reason"/> <c>queued</c>).</param>
/// <param name="Reason">
/// <c>queued</c>; or why nothing started: <c>duplicate</c> (the call already holds this text), <c>account_limit</c>,
/// <c>node_limit</c> (see <see cref="CallOptions.InterimMaxCallsPerAccount"/>, <see cref="CallOptions.InterimMaxCalls"/>),
/// <c>disabled</c>. Null when it simply started.
/// </param>
public sealed record InterimOutcome(bool Started, string? Reason)
{
    public const string Queued = "queued";
    public const string Duplicate = "duplicate";
    public const string AccountLimit = "account_limit";
    public const string NodeLimit = "node_limit";
    public const string Disabled = "disabled";
}
