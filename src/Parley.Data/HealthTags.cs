namespace Parley.Data;

/// <summary>
/// Tags the features put on the health checks they register, so a host can pick a probe's checks
/// without knowing which features it composed.
/// </summary>
public static class HealthTags
{
    /// <summary>The checks <c>/health/ready</c> runs: what must answer before this node takes traffic.</summary>
    public const string Ready = "ready";
}
