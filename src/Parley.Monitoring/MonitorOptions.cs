using System.ComponentModel.DataAnnotations;

namespace Parley.Monitoring;

/// <summary><c>Parley:Monitor</c>: the design's LatencyMonitorService, its alerts, the per-search records and the export.</summary>
public sealed class MonitorOptions
{
    public const string Section = "Parley:Monitor";

    /// <summary>Whether this process runs the periodic latency check (records are written either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between two checks (the design: every 30 s).</summary>
    [Range(1, 86_400)]
    public double IntervalSeconds { get; set; } = 30;

    /// <summary>The window each check looks at, e.g. <c>5m</c>.</summary>
    public string Window { get; set; } = "5m";

    /// <summary>An average or p95 search time above this raises HIGH_LATENCY (the design: 200 ms).</summary>
    [Range(1, 600_000)]
    public double ThresholdMs { get; set; } = 200;

    /// <summary>Fewer searches than this in the window are not evidence either way: no alert is raised on them.</summary>
    [Range(1, 1_000_000)]
    public int MinSearches { get; set; } = 5;

    /// <summary>Where alerts are posted (JSON); unset: alerts are only stored and listed.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Key of the <c>X-Parley-Signature: sha256=&lt;hex HMAC of the body&gt;</c> header; unset: posts are unsigned.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Retries of one webhook post (5xx, 408, 429, network), with exponential backoff; undelivered alerts are tried again next check.</summary>
    [Range(0, 10)]
    public int WebhookRetries { get; set; } = 4;

    /// <summary>Per-search records older than this are deleted by the monitor.</summary>
    [Range(1, 24 * 90)]
    public int RetentionHours { get; set; } = 48;

    /// <summary>Records waiting for the database beyond this are dropped (and counted): memory is bounded.</summary>
    [Range(100, 10_000_000)]
    public int RecordCapacity { get; set; } = 100_000;

    /// <summary>The bearer token a scraper sends for <c>/metrics</c>; unset: only the admin key (or the metrics port) scrapes.</summary>
    public string? MetricsToken { get; set; }

    /// <summary>A port of its own on which <c>/metrics</c> (and nothing else) answers anyone: for a private network.</summary>
    [Range(1, 65_535)]
    public int? MetricsPort { get; set; }

    /// <summary>Whether exported series carry <c>parley.account.id</c>; false: a scrape names no account.</summary>
    public bool AccountLabels { get; set; } = true;

    /// <summary>OTLP collector (e.g. <c>http://collector:4317</c>) for metrics and traces; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</summary>
    public Uri? OtlpEndpoint { get; set; }
}
