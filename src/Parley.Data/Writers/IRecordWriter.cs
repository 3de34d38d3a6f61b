namespace Parley.Data.Writers;

/// <summary>A batching writer as the monitoring side sees it: each registers itself as one, so the database report lists them all.</summary>
public interface IRecordWriter
{
    /// <summary>The writer (<c>call_log</c>, <c>search_records</c>).</summary>
    string Name { get; }

    /// <summary>Records queued and not yet written.</summary>
    long Backlog { get; }

    /// <summary>Records lost since this process started.</summary>
    long Dropped { get; }

    /// <summary>Records this process set aside in the dead-letter table.</summary>
    long SetAside { get; }

    /// <summary>Bytes in the writer's local spool (0 without one).</summary>
    long SpoolBytes { get; }
}
