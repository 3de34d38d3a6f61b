namespace Parley.Monitoring.Alerts;

/// <summary>What one latency check did.</summary>
/// <param name="Led">False when another process held the monitor lock, so this one did nothing.</param>
/// <param name="Accounts">Accounts with searches in the window.</param>
public sealed record MonitorCheck(bool Led, int Accounts, IReadOnlyList<Alert> Raised, IReadOnlyList<Alert> Resolved, int Delivered, int Pruned)
{
    public static MonitorCheck Skipped { get; } = new(false, 0, [], [], 0, 0);
}
