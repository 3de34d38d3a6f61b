namespace Parley.Monitoring.Alerts;

/// <summary>A stored alert (<c>GET /v1/alerts</c>, and the webhook's body).</summary>
/// <param name="ValueMs">The search time that crossed the threshold (the average, or the p95 when only it did).</param>
/// <param name="DeliveredAt">When the webhook accepted it; null while undelivered or when no webhook is configured.</param>
public sealed record Alert(
    Guid Id,
    string Type,
    string Severity,
    string Message,
    Guid AccountId,
    DateTimeOffset RaisedAt,
    DateTimeOffset? ResolvedAt,
    double? ValueMs,
    DateTimeOffset? DeliveredAt)
{
    public const string HighLatency = "HIGH_LATENCY";
    public const string Warning = "WARNING";
}
