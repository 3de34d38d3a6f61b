using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Parley.Monitoring.Telemetry;

/// <summary>
/// With <c>Parley:Monitor:AccountLabels</c> false, Parley's instruments are exported without
/// <c>parley.account.id</c> (an OpenTelemetry view keeping every other tag Parley sets), so a scrape
/// lists no account. In-process collectors still see the tag: alerts and tests read it there.
/// A tag a meter adds later joins <see cref="Kept"/>, or is dropped with the account's.
/// </summary>
internal static class MetricLabels
{
    public const string Account = "parley.account.id";

    public static readonly string[] Kept =
    [
        "alert.type", "model", "outcome", "parley.extraction.outcome", "parley.job.outcome", "parley.record.kind",
        "parley.search.mode", "parley.search.strategy", "parley.stage", "priority", "provider", "reason", "tier",
    ];

    public static MetricStreamConfiguration? WithoutAccount(Instrument instrument)
    {
        if (!instrument.Meter.Name.StartsWith("Parley.", StringComparison.Ordinal))
        {
            return null;
        }
        // A view replaces the instrument's own bucket advice, so the advice is carried over by hand.
        var boundaries = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            _ => null,
        };
        return boundaries is null
            ? new MetricStreamConfiguration { TagKeys = Kept }
            : new ExplicitBucketHistogramConfiguration { TagKeys = Kept, Boundaries = [.. boundaries] };
    }
}
