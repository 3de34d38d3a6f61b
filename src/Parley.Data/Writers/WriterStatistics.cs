namespace Parley.Data.Writers;

/// <summary>One batching writer of this process, in <c>GET /v1/metrics/database</c>.</summary>
public sealed record WriterStatistics(string Name, long Backlog, long Dropped, long SetAside, long SpoolBytes)
{
    public static WriterStatistics Of(IRecordWriter writer) => new(writer.Name, writer.Backlog, writer.Dropped, writer.SetAside, writer.SpoolBytes);
}
