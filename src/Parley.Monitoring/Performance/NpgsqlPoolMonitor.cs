using System.Diagnostics.Metrics;

namespace Parley.Monitoring.Performance;

/// <summary>
/// Reads Npgsql's own pool gauges (meter <c>Npgsql</c>: <c>db.client.connection.count</c> by state and
/// <c>db.client.connection.max</c>, tagged with the pool name) on demand. Npgsql keeps its pool
/// counters internal; its metrics are the public way to read them, the same numbers /metrics exports.
/// </summary>
public sealed class NpgsqlPoolMonitor : IDisposable
{
    private const string CountInstrument = "db.client.connection.count";
    private const string MaxInstrument = "db.client.connection.max";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private Dictionary<string, (long Busy, long Idle, long Max)>? _collecting;

    public NpgsqlPoolMonitor()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name is CountInstrument or MaxInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The named pools' figures now; a pool that has not been created yet is reported with zeros.</summary>
    public IReadOnlyList<PoolStatistics> Read(IEnumerable<string> poolNames)
    {
        lock (_gate)
        {
            _collecting = [];
            _listener.RecordObservableInstruments();
            var result = poolNames.Distinct().Select(name => _collecting.TryGetValue(name, out var s)
                ? new PoolStatistics(name, s.Busy, s.Idle, s.Max)
                : new PoolStatistics(name, 0, 0, 0)).ToList();
            _collecting = null;
            return result;
        }
    }

    // Called synchronously from RecordObservableInstruments, under _gate.
    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_collecting is null)
        {
            return;
        }
        string? pool = null, state = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "db.client.connection.pool.name")
            {
                pool = tag.Value?.ToString();
            }
            else if (tag.Key == "db.client.connection.state")
            {
                state = tag.Value?.ToString();
            }
        }
        if (pool is null)
        {
            return;
        }
        // Several data sources may share a name (test hosts in one process): their figures add up.
        var s = _collecting.GetValueOrDefault(pool);
        _collecting[pool] = instrument.Name == MaxInstrument ? s with { Max = s.Max + value }
            : state == "idle" ? s with { Idle = s.Idle + value }
            : s with { Busy = s.Busy + value };
    }

    public void Dispose() => _listener.Dispose();
}
