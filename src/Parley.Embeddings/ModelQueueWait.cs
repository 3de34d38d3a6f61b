using System.Diagnostics.Metrics;
using Parley.Domain;

namespace Parley.Embeddings;

/// <summary>
/// How long embedding requests wait for a session of the local model: the histogram
/// <c>parley.embedding.queue.wait</c> by priority, and the recent waits of interactive requests (turns
/// and searches) kept in a ring so admission control can ask "how long do callers wait now?".
/// Background waits are left out of the ring: ingestion waiting behind calls is the design, not a full node.
/// </summary>
public sealed class ModelQueueWait
{
    private const int Capacity = 4096;

    private readonly Histogram<double> _wait;
    private readonly TimeProvider _time;
    private readonly long[] _at = new long[Capacity];
    private readonly double[] _ms = new double[Capacity];
    private readonly Lock _gate = new();
    private long _count;

    public ModelQueueWait(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        _wait = meterFactory.Create(EmbeddingMetrics.MeterName).CreateHistogram<double>("parley.embedding.queue.wait", "s",
            "Time an embedding request waited for a model session, by priority",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    }

    public void Record(EmbeddingPriority priority, TimeSpan wait)
    {
        _wait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("priority", priority.ToString().ToLowerInvariant()));
        if (priority == EmbeddingPriority.Background)
        {
            return;
        }
        lock (_gate)
        {
            var i = (int)(_count++ % Capacity);
            _at[i] = _time.GetTimestamp();
            _ms[i] = wait.TotalMilliseconds;
        }
    }

    /// <summary>The <paramref name="quantile"/> of interactive waits within <paramref name="window"/>, and how many there were.</summary>
    public (double Ms, int Samples) Quantile(double quantile, TimeSpan window)
    {
        var now = _time.GetTimestamp();
        var recent = new List<double>();
        lock (_gate)
        {
            var n = (int)Math.Min(_count, Capacity);
            for (var k = 0; k < n; k++)
            {
                if (_time.GetElapsedTime(_at[k], now) <= window)
                {
                    recent.Add(_ms[k]);
                }
            }
        }
        if (recent.Count == 0)
        {
            return (0, 0);
        }
        recent.Sort();
        return (recent[Math.Clamp((int)Math.Ceiling(quantile * recent.Count) - 1, 0, recent.Count - 1)], recent.Count);
    }
}
