using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

/// <summary>
/// Runs background ingestion jobs. A job is claimed under a lease the worker renews with every
/// progress heartbeat; the document is written in one transaction at the end, as a direct upload is.
/// So a worker that dies (process killed, machine gone) leaves no half document: its lease runs
/// out, another worker claims the job and ingests it again from the stored document. Chunks embedded
/// before the crash are hits in the persistent embedding cache by then, and a crash after the write
/// but before the job was marked done is harmless: the same content hash makes the rerun a no-op.
/// Failures are retried with exponential backoff up to <c>MaxAttempts</c>; bad input fails at once.
/// </summary>
public sealed partial class IngestionJobWorker(
    IngestionJobStore store,
    KnowledgeIngestion ingestion,
    ExtractionSandbox extraction,
    IOptions<IngestionJobOptions> options,
    KnowledgeMetrics metrics,
    TimeProvider time,
    ILogger<IngestionJobWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>This process as a lease owner (each claim adds a unique token to it).</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>A job was queued in this process: look now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>With <c>Parley:Knowledge:Jobs:Worker</c> off this process only queues jobs; others run them.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !options.Value.Worker ? Task.CompletedTask :
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));

    /// <summary>Claims and runs one due job, if any (what the loop does each turn; tests call it directly).</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var job = await store.ClaimAsync(WorkerId, cancellationToken);
        if (job is null)
        {
            return false;
        }
        await RunAsync(job, cancellationToken);
        return true;
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool ran;
            try
            {
                ran = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogClaimFailed(logger, e);
                ran = false;
            }
            if (!ran)
            {
                using var idle = new CancellationTokenSource(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, stoppingToken);
                try
                {
                    await _wake.WaitAsync(either.Token);
                }
                catch (OperationCanceledException)
                {
                    // Poll interval over (or stopping: the loop condition says which).
                }
            }
        }
    }

    private async Task RunAsync(ClaimedJob job, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        LogStarted(logger, job.Id, job.Account, job.Attempts, job.MaxAttempts);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var stopBeating = new CancellationTokenSource();
        var progress = new ProgressState();
        var heartbeat = HeartbeatAsync(job, progress, work, stopBeating.Token);
        string outcome;
        try
        {
            if (job.Attempts > job.MaxAttempts)
            {
                // Its workers died every time (killed while running it): do not let it take down the next one.
                throw new JobGaveUpException($"Gave up after {job.MaxAttempts} attempts: the worker stopped before finishing each time.");
            }
            var request = job.File is { } file ? await ExtractAsync(job, file, progress, work.Token) : job.Request;
            var result = await ingestion.IngestAsync(job.Account, request, progress, work.Token);
            await StopAsync(stopBeating, heartbeat);
            outcome = await store.SucceedAsync(job, result, stoppingToken) ? "succeeded" : "lost";
            LogSucceeded(logger, job.Id, WireNames.Of(result.Status), result.Chunks);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await StopAsync(stopBeating, heartbeat);
            outcome = "released";
            await TryAsync(() => store.ReleaseAsync(job, CancellationToken.None));
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // The heartbeat found the job is no longer ours (our lease ran out and another worker has it).
            outcome = "lost";
            LogLeaseLost(logger, job.Id);
        }
        catch (Exception e)
        {
            await StopAsync(stopBeating, heartbeat);
            var retry = !IsPermanent(e) && job.Attempts < job.MaxAttempts ? options.Value.Backoff(job.Attempts) : (TimeSpan?)null;
            outcome = retry is null ? "failed" : "retried";
            LogFailed(logger, job.Id, job.Attempts, retry?.TotalSeconds, e);
            var message = e is InvalidRequestException ir ? string.Join(" ", ir.Errors.SelectMany(x => x.Value)) : e.Message;
            await TryAsync(() => store.FailAsync(job, message, retry, CancellationToken.None));
        }
        finally
        {
            await StopAsync(stopBeating, heartbeat);
        }
        metrics.JobFinished(outcome, time.GetElapsedTime(started));
    }

    /// <summary>An uploaded file's document, read in the extractor sandbox: a hostile file fails its job (an ArgumentException is permanent).</summary>
    private async Task<IngestRequest> ExtractAsync(ClaimedJob job, JobFile file, ProgressState progress, CancellationToken cancellationToken)
    {
        progress.Extracting(true);
        var document = await extraction.ExtractAsync(file.Name, file.ContentType, file.Bytes, file.Title, cancellationToken);
        progress.Extracting(false);
        return job.Request with { Title = document.Title ?? file.DisplayTitle, Document = document };
    }

    /// <summary>Renews the lease and records progress until stopped; cancels the work when the lease is lost.</summary>
    private async Task HeartbeatAsync(ClaimedJob job, ProgressState progress, CancellationTokenSource work, CancellationToken stop)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.HeartbeatMilliseconds);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stop);
                if (!await store.HeartbeatAsync(job, progress.Stage, progress.Done, progress.Total, stop))
                {
                    await work.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The database is away: the write at the end will fail too, or the lease runs out and
                // the job is claimed again. Either way nothing is lost; keep trying.
                LogHeartbeatFailed(logger, job.Id, e);
            }
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task heartbeat)
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }
        await heartbeat;
    }

    private async Task TryAsync(Func<Task<bool>> update)
    {
        try
        {
            await update();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Could not record it: the lease runs out and the job is claimed again, which is safe.
            LogRecordFailed(logger, e);
        }
    }

    /// <summary>Failures that another attempt cannot cure: the document itself is bad.</summary>
    private static bool IsPermanent(Exception e) => e is InvalidRequestException or ArgumentException or JsonException or JobGaveUpException
        || e is PostgresException { SqlState: ['2', '2', ..] or ['5', '4', ..] };

    /// <summary>Progress as the ingestion reports it, read by the heartbeat from another thread.</summary>
    private sealed class ProgressState : IProgress<(int Done, int Total)>
    {
        private int _done;
        private int _total = -1;
        private volatile bool _extracting;

        public int Done => Volatile.Read(ref _done);
        public int Total => Math.Max(0, Volatile.Read(ref _total));

        /// <summary>An uploaded file is being read (before it is chunked), or no longer.</summary>
        public void Extracting(bool extracting) => _extracting = extracting;

        public string Stage => Volatile.Read(ref _total) switch
        {
            < 0 when _extracting => "extracting",
            < 0 => "chunking",
            var t when Done < t => "embedding",
            _ => "writing",
        };

        public void Report((int Done, int Total) value)
        {
            Volatile.Write(ref _done, value.Done);
            Volatile.Write(ref _total, value.Total);
        }
    }

    private sealed class JobGaveUpException(string message) : Exception(message);
}
