using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Polly;
using Polly.Retry;

namespace Parley.Data;

/// <summary>
/// Writes records off the caller's path: callers only queue (a bounded channel, so a slow or absent
/// database never slows them and memory stays bounded; what does not fit is dropped and counted), and
/// this service lands them in batches, retrying a failed batch with exponential backoff (Polly). On
/// shutdown the queue is flushed. The call log and the per-search records are both built on it; they
/// differ in what a batch is and in how long a batch is worth retrying.
/// </summary>
public abstract class BatchingWriter<T> : BackgroundService
{
    private readonly Channel<T> _queue;
    private readonly ResiliencePipeline _retry;
    private readonly int _batchSize;
    private readonly TimeProvider _time;
    private long _pending;
    private long _dropped;

    /// <param name="maxRetries">Attempts after the first before a batch is given up (<see cref="Lost"/>); null retries until the database is back.</param>
    protected BatchingWriter(int capacity, int batchSize, int? maxRetries, TimeProvider time)
    {
        _batchSize = batchSize;
        _time = time;
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries ?? int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a =>
                {
                    Retrying(a.AttemptNumber, a.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Records queued and not yet written.</summary>
    public long Backlog => Interlocked.Read(ref _pending);

    /// <summary>Records dropped: the queue was full, or their batch was given up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a record; false (and counted) when the queue is full.</summary>
    protected bool TryEnqueue(T record)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(record))
        {
            return true;
        }
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Waits until everything queued before the call is written (tests, shutdown).</summary>
    /// <exception cref="InvalidOperationException">The writer is not running (never started, or stopped), so the wait would never end.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0)
        {
            if (ExecuteTask is null or { IsCompleted: true })
            {
                throw new InvalidOperationException($"{GetType().Name} is not running: start it (as a hosted service) before waiting for its writes.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken);
        }
    }

    /// <summary>Writes one batch; throws to have it retried.</summary>
    protected abstract Task WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken);

    /// <summary>A batch failed and will be tried again.</summary>
    protected virtual void Retrying(int attempt, Exception? exception)
    {
    }

    /// <summary>A batch was written.</summary>
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
        var batch = new List<T>(_batchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < _batchSize && _queue.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }
                try
                {
                    await _retry.ExecuteAsync(async ct => await WriteBatchAsync(batch, ct), stoppingToken);
                    Written(batch.Count);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    Lost(batch.Count, e);
                }
                Interlocked.Add(ref _pending, -batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
    }
}
