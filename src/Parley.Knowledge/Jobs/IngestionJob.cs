using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

/// <summary>How far a job has come: chunks embedded of the total (both 0 until it is chunked).</summary>
public sealed record JobProgress(int Done, int Total, double Percent);

/// <summary>
/// A background ingestion as <c>GET /v1/knowledge/jobs/{id}</c> shows it.
/// <c>Stage</c> says what a running job is doing (<c>embedding</c>, <c>writing</c>) or why a queued one
/// waits; <c>Result</c> is the ingest's own status once done.
/// </summary>
public sealed record IngestionJob(
    Guid Id,
    JobStatus Status,
    string Stage,
    string Source,
    string Title,
    long Bytes,
    JobProgress Progress,
    int Attempts,
    int MaxAttempts,
    Guid? DocumentId,
    int? Chunks,
    IngestStatus? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset RunAfter);
