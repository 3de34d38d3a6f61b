using Npgsql;
using Parley.Domain;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

/// <summary>A job row as read back, and the document a job stores for its worker.</summary>
public sealed partial class IngestionJobStore
{
    private static IngestionJob Read(NpgsqlDataReader r)
    {
        int done = r.GetInt32(6), total = r.GetInt32(7);
        var percent = total == 0 ? 0 : Math.Round(100.0 * done / total, 1);
        return new IngestionJob(r.GetGuid(0), WireNames.Parse<JobStatus>(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
            new JobProgress(done, total, percent), r.GetInt32(8), r.GetInt32(9),
            r.IsDBNull(10) ? null : r.GetGuid(10), r.IsDBNull(11) ? null : r.GetInt32(11), r.IsDBNull(12) ? null : WireNames.Parse<IngestStatus>(r.GetString(12)),
            r.IsDBNull(13) ? null : r.GetString(13), r.GetFieldValue<DateTimeOffset>(14),
            r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15), r.IsDBNull(16) ? null : r.GetFieldValue<DateTimeOffset>(16),
            r.GetFieldValue<DateTimeOffset>(17));
    }

    /// <summary>The extracted document as kept in the job row (headings kept, so chunks come out as a direct upload's).</summary>
    private sealed record StoredDocument(string? Title, List<StoredSection> Sections);

    private sealed record StoredSection(IReadOnlyList<string> Headings, IReadOnlyList<string> Paragraphs);
}
