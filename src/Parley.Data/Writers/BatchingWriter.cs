using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Parley.Data.Writers;

/// <summary>
/// Writes records off the caller's path: callers only queue (a bounded channel, so a slow or absent
/// database never slows them and memory stays bounded), and this service lands them in batches.
/// <list type="bullet">
/// <item>A batch that fails for a passing reason (connection lost, server busy or restarting, a lost
/// race, a timeout: <see cref="DatabaseErrors.IsRetryable"/>) is retried with exponential backoff (Polly).</item>
/// <item>A batch the database refuses for what is in it (a NUL in a text, a broken constraint) would fail
/// the same way forever and hold up every record behind it, of every tenant. It is split in two and
/// each half written on its own, down to the one record at fault, which is set aside in the dead-letter
/// table with the error (<see cref="DeadLetterStore"/>); the rest lands.</item>
/// <item>With a <see cref="RecordSpool"/>, each record is first appended to a local file, so it survives
/// the process (see there); records beyond the in-memory queue wait in the spool instead of being
/// dropped, and a later start reads back whatever an earlier process left.</item>
/// </list>
/// On shutdown the queue is flushed within the host's shutdown time.
/// </summary>
public abstract partial class BatchingWriter<T> : BackgroundService, IRecordWriter
{
    private readonly BatchingWriterSettings<T> _settings;
    private readonly Channel<Entry> _queue;
    private readonly ResiliencePipeline _retry;
    private readonly DeadLetterStore _deadLetters;
    private readonly DataMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _pending;
    private long _overflowed;
    private long _dropped;
    private long _setAside;
    private volatile bool _replayingAtStart;

    protected BatchingWriter(BatchingWriterSettings<T> settings, DeadLetterStore deadLetters, DataMetrics metrics, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _replayingAtStart = settings.Spool?.HasOrphans == true;
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(settings.Capacity)
        {
            // Wait, not DropWrite: in the drop modes TryWrite answers true for the item it drops, so the
            // record would vanish uncounted (and stay in the backlog forever). Nothing here ever waits:
            // only TryWrite is called, and it answers false when the queue is full.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries ?? int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                // Everything but a refused value: that one is the records' fault and retrying cannot help (it is
                // split out instead). A passing failure (DatabaseErrors.IsRetryable) is the usual case; anything
                // else (a password changed, a table missing) is the deployment's, and waiting for it to be
                // mended loses nothing, where setting every record aside (or dropping it) would.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    && !DatabaseErrors.IsRefusedValue(e) && !(e is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
                OnRetry = a =>
                {
                    if (a.AttemptNumber == 0 && a.Outcome.Exception is { } e && !DatabaseErrors.IsRetryable(e) && e is not OperationCanceledException)
                    {
                        LogStuck(_logger, _settings.Name, e);
                    }
                    Retrying(a.AttemptNumber, a.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <inheritdoc />
    public string Name => _settings.Name;

    /// <summary>Records queued and not yet written (in memory, or in the spool beyond the in-memory queue).</summary>
    public long Backlog => Interlocked.Read(ref _pending) + Interlocked.Read(ref _overflowed);

    /// <summary>Records lost: no room in memory nor in the spool, their batch given up after its retries, or their account deleted.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records this process set aside in the dead-letter table.</summary>
    public long SetAside => Interlocked.Read(ref _setAside);

    /// <summary>Bytes in this writer's spool (0 without one).</summary>
    public long SpoolBytes => _settings.Spool?.Bytes ?? 0;

    /// <summary>
    /// Queues a record: into the spool first when there is one (it is then safe from a crash of the
    /// process when this returns), then into memory. False (and counted) when it could be kept nowhere.
    /// </summary>
    protected bool TryEnqueue(T record)
    {
        var segment = _settings.Spool is { } spool ? Spool(spool, record) : -1;
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(new Entry(record, segment)))
        {
            return true;
        }
        Interlocked.Decrement(ref _pending);
        if (segment >= 0)
        {
            // The spool has it; it is read back from there once the queue has room.
            Interlocked.Increment(ref _overflowed);
            _settings.Spool!.Overflowed(segment);
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Waits until everything queued before the call is written, and what earlier processes left in the spool (tests, shutdown).</summary>
    /// <exception cref="InvalidOperationException">The writer is not running (never started, or stopped), so the wait would never end.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0 || _replayingAtStart)
        {
            if (ExecuteTask is null or { IsCompleted: true })
            {
                throw new InvalidOperationException($"{GetType().Name} is not running: start it (as a hosted service) before waiting for its writes.");
            }
            // Real time, not the injected clock: this polls a condition, and under a test's stopped clock
            // a delay on it would never end (nor would the host's shutdown, which flushes).
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }

    /// <summary>Writes one batch; throws to have it retried (a passing failure) or split (the database refused a record).</summary>
    protected abstract Task WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken);

    /// <summary>Whose the record is, its id and kind: the dead letter's key.</summary>
    protected abstract RecordKey Describe(T record);

    /// <summary>A batch failed and will be tried again.</summary>
    protected virtual void Retrying(int attempt, Exception? exception)
    {
    }

    /// <summary>Records were written.</summary>
    protected virtual void Written(int count)
    {
    }

    /// <summary>A batch was given up after its retries (only with a retry limit).</summary>
    protected virtual void Lost(int count, Exception exception)
    {
    }

    /// <summary>Shutdown ended with records still unwritten.</summary>
    protected virtual void Unwritten(long count)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: reading back a spool is file work.
        await Task.Yield();
        var batch = new List<Entry>(_settings.BatchSize);
        try
        {
            try
            {
                await ReplayAsync(stoppingToken);
            }
            finally
            {
                _replayingAtStart = false;
            }
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < _settings.BatchSize && _queue.Reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                }
                await LandAsync(batch.ConvertAll(e => e.Record), stoppingToken);
                Completed(batch);
                Interlocked.Add(ref _pending, -batch.Count);
                batch.Clear();
                if (_queue.Reader.Count == 0 && _settings.Spool?.HasOverflow == true)
                {
                    await ReplayAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // What was not written stays in the spool for the next start.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        // Give the writer the host's shutdown time to land what is queued.
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Unwritten(Backlog);
        }
        await base.StopAsync(cancellationToken);
        if (_settings.Spool is { } spool)
        {
            await spool.DisposeAsync();
        }
    }

    /// <summary>A queued record and the spool segment holding it (-1: none).</summary>
    private readonly record struct Entry(T Record, long Segment);
}
