using System.Buffers;
using System.Text.Json;

namespace Parley.Data.Writers;

/// <summary>The spool side of a writer: a record's line appended before it is queued, and segments released once written.</summary>
public abstract partial class BatchingWriter<T>
{
    // One line buffer per thread: turns queue records from many threads at once, and a record's JSON is
    // written into it without allocating per record.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadLine;
    [ThreadStatic]
    private static Utf8JsonWriter? _threadJson;

    private long Spool(RecordSpool spool, T record)
    {
        var line = _threadLine ??= new ArrayBufferWriter<byte>(4096);
        line.ResetWrittenCount();
        var json = _threadJson ??= new Utf8JsonWriter(line);
        json.Reset(line);
        try
        {
            JsonSerializer.Serialize(json, record, _settings.Json);
            json.Flush();
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // Text JSON cannot carry (a lone surrogate): the record still goes to the database from memory.
            LogUnspoolable(_logger, _settings.Name, e);
            return -1;
        }
        line.Write("\n"u8);
        try
        {
            return spool.Append(line.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            // A full or failing disk must not fail the turn: the record still goes to the database from memory.
            LogUnspoolable(_logger, _settings.Name, e);
            return -1;
        }
    }

    private void Completed(List<Entry> batch)
    {
        if (_settings.Spool is not { } spool)
        {
            return;
        }
        foreach (var group in batch.Where(e => e.Segment >= 0).GroupBy(e => e.Segment))
        {
            spool.Completed(group.Key, group.Count());
        }
    }
}
