using System.ComponentModel.DataAnnotations;

namespace Parley.Knowledge.Jobs;

/// <summary><c>Parley:Knowledge:Jobs</c>: when an upload becomes a background job, and how jobs are run and retried.</summary>
public sealed class IngestionJobOptions
{
    public const string Section = "Parley:Knowledge:Jobs";

    /// <summary>
    /// Uploads larger than this run as a background job (202 + job id) unless the request says
    /// <c>?async=false</c>. About 1 MiB of text is ~1 000 chunks: tens of seconds of local embedding,
    /// longer than an HTTP request should be held open.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int AsyncAboveBytes { get; set; } = 1024 * 1024;

    /// <summary>Run a worker in this process (the server does; a process may opt out).</summary>
    public bool Worker { get; set; } = true;

    /// <summary>Jobs one process runs at a time; embedding is CPU-bound, so one per process by default.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// Jobs of one tenant running at once across every process: past it, the tenant's next job waits
    /// and the workers serve other tenants (the claim is round-robin across tenants either way).
    /// </summary>
    [Range(1, 64)]
    public int PerTenantConcurrency { get; set; } = 2;

    /// <summary>Attempts before a job is marked failed (a worker that died counts as an attempt).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>A claimed job belongs to its worker this long past the last heartbeat; then another may take it.</summary>
    [Range(1, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often a running job renews its lease and records its progress.</summary>
    [Range(50, 600_000)]
    public int HeartbeatMilliseconds { get; set; } = 2000;

    /// <summary>How often an idle worker looks for due jobs (an upload to this process wakes it at once).</summary>
    [Range(10, 600_000)]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>First retry delay; doubled per attempt up to <see cref="RetryMaxSeconds"/>.</summary>
    [Range(0, 3600)]
    public double RetryBaseSeconds { get; set; } = 2;

    [Range(0, 86_400)]
    public double RetryMaxSeconds { get; set; } = 300;

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1, after <paramref name="attempt"/> failed.</summary>
    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(RetryMaxSeconds, RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}
