using System.ComponentModel.DataAnnotations;

namespace Parley.Monitoring;

/// <summary><c>Parley:Monitor</c>: the design's LatencyMonitorService and the per-search records.</summary>
public sealed class MonitorOptions
{
    public const string Section = "Parley:Monitor";

    [Range(1, 86_400)]
    public double IntervalSeconds { get; set; } = 30;

    /// <summary>The window each check looks at, e.g. <c>5m</c>.</summary>
    public string Window { get; set; } = "5m";

    /// <summary>Average or p95 search time above this raises HIGH_LATENCY.</summary>
    [Range(1, 600_000)]
    public double ThresholdMs { get; set; } = 200;

    public Uri? WebhookUrl { get; set; }
    public string? WebhookSecret { get; set; }

    [Range(1, 24 * 90)]
    public int RetentionHours { get; set; } = 48;

    public bool Enabled { get; set; } = true;
}
