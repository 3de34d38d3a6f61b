using System.Diagnostics.Metrics;

namespace Parley.Data;

/// <summary>
/// Meter <c>Parley.Data</c>: what the batching writers could not store as asked. Records set aside in
/// the dead-letter table, batches split to find them, and records replayed from a local spool.
/// </summary>
public sealed class DataMetrics
{
    public const string MeterName = "Parley.Data";

    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _splits;
    private readonly Counter<long> _replayed;

    public DataMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _deadLettered = meter.CreateCounter<long>("parley.deadletter.records", "{record}",
            "Records set aside in the dead-letter table because the database refused them (tag parley.record.kind)");
        _splits = meter.CreateCounter<long>("parley.writer.batch.splits", "{split}",
            "Batches split in two to isolate a record the database refused (tag parley.record.kind)");
        _replayed = meter.CreateCounter<long>("parley.spool.replayed", "{record}",
            "Records read back from a local spool: left by a process that stopped before writing them, or beyond the in-memory queue");
    }

    public void DeadLettered(string kind) => _deadLettered.Add(1, new KeyValuePair<string, object?>("parley.record.kind", kind));

    public void Split(string kind) => _splits.Add(1, new KeyValuePair<string, object?>("parley.record.kind", kind));

    public void Replayed(int count) => _replayed.Add(count);
}
