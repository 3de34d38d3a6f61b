using System.Diagnostics.Metrics;
using Parley.Domain;

namespace Parley.Monitoring;

/// <summary>
/// Meter <c>Parley.Monitoring</c>: the monitor's own health (record backlog and drops, records written),
/// alerts raised and resolved, and webhook deliveries by outcome.
/// </summary>
public sealed class MonitoringMetrics
{
    public const string MeterName = "Parley.Monitoring";

    private readonly Meter _meter;
    private readonly Counter<long> _written;
    private readonly Counter<long> _raised;
    private readonly Counter<long> _resolved;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _checkDuration;

    public MonitoringMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _written = _meter.CreateCounter<long>("parley.monitor.records.written", "{record}", "Per-search records written to the database");
        _raised = _meter.CreateCounter<long>("parley.alerts.raised", "{alert}", "Alerts raised (tags alert.type, parley.account.id)");
        _resolved = _meter.CreateCounter<long>("parley.alerts.resolved", "{alert}", "Alerts resolved because the condition cleared");
        _deliveries = _meter.CreateCounter<long>("parley.alerts.webhook.deliveries", "{alert}", "Webhook posts after retries (tag outcome: delivered|failed)");
        _checkDuration = _meter.CreateHistogram<double>("parley.monitor.check.duration", "s", "One latency check over every account");
    }

    /// <summary>Registers the record writer's backlog gauge and drop counter (observed when collected).</summary>
    public void ObserveRecorder(Func<long> backlog, Func<long> dropped)
    {
        _meter.CreateObservableGauge("parley.monitor.records.backlog", backlog, "{record}", "Per-search records waiting to be written");
        _meter.CreateObservableCounter("parley.monitor.records.dropped", dropped, "{record}", "Per-search records dropped because the backlog was full");
    }

    public void Written(int count) => _written.Add(count);

    public void Raised(AccountId account, string type) =>
        _raised.Add(1, new("alert.type", type), new("parley.account.id", account.ToString()));

    public void Resolved(AccountId account, string type) =>
        _resolved.Add(1, new("alert.type", type), new("parley.account.id", account.ToString()));

    public void Delivered(bool ok) => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "delivered" : "failed"));

    public void Checked(TimeSpan elapsed) => _checkDuration.Record(elapsed.TotalSeconds);
}
