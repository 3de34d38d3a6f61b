using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;

namespace Parley.Knowledge;

/// <summary>
/// What became of an upload: exactly one of <see cref="Document"/> (ingested now) or <see cref="Job"/> (queued).
/// </summary>
public sealed record UploadResult(IngestResult? Document, IngestionJob? Job)
{
    public static UploadResult Ingested(IngestResult document) => new(document, null);

    public static UploadResult Queued(IngestionJob job) => new(null, job);
}
