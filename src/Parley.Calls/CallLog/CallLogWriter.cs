using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.CallLog;

/// <summary>
/// Call logs never lost, never in the way: turns and usage are queued in memory (bounded) and written
/// in batches off the response path. While the database is unreachable the batch is retried with
/// exponential backoff (Polly), holding the records, and everything lands once it is back. On
/// shutdown the queue is flushed.
/// </summary>
public sealed partial class CallLogWriter : BackgroundService
{
    private readonly Channel<(CallTurn? Turn, UsageRecord? Usage)> _queue;
    private readonly CallLogStore _store;
    private readonly ILogger<CallLogWriter> _logger;
    private readonly ResiliencePipeline _retry;
    private long _pending;
    private long _dropped;

    public CallLogWriter(CallLogStore store, IOptions<CallOptions> options, IMeterFactory meters, ILogger<CallLogWriter> logger)
    {
        _store = store;
        _logger = logger;
        _queue = Channel.CreateBounded<(CallTurn?, UsageRecord?)>(new BoundedChannelOptions(options.Value.CallLogCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a =>
                {
                    LogRetry(_logger, a.AttemptNumber, a.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        var meter = meters.Create(CallMetrics.MeterName);
        meter.CreateObservableGauge("parley.calllog.backlog", () => Interlocked.Read(ref _pending), "{record}", "Call-log records waiting to be written");
        meter.CreateObservableCounter("parley.calllog.dropped", () => Interlocked.Read(ref _dropped), "{record}", "Records dropped because the backlog was full");
    }

    public long Backlog => Interlocked.Read(ref _pending);

    public void Enqueue(CallTurn turn, IEnumerable<UsageRecord> usage)
    {
        Add((turn, null));
        foreach (var u in usage)
        {
            Add((null, u));
        }
    }

    private void Add((CallTurn?, UsageRecord?) record)
    {
        if (_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _pending);
        }
        else
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Waits until everything queued before the call is written (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var turns = new List<CallTurn>();
        var usage = new List<UsageRecord>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (turns.Count + usage.Count < 500 && _queue.Reader.TryRead(out var r))
                {
                    if (r.Turn is not null)
                    {
                        turns.Add(r.Turn);
                    }
                    if (r.Usage is not null)
                    {
                        usage.Add(r.Usage);
                    }
                }
                await WriteAsync(turns, usage, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(List<CallTurn> turns, List<UsageRecord> usage, CancellationToken cancellationToken)
    {
        var count = turns.Count + usage.Count;
        await _retry.ExecuteAsync(async ct => await _store.AppendAsync(turns, usage, ct), cancellationToken);
        Interlocked.Add(ref _pending, -count);
        turns.Clear();
        usage.Clear();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        // Give the writer the host's shutdown time to land what is queued.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            LogLost(_logger, Backlog);
        }
        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call-log write failed (attempt {Attempt}); retrying, records kept")]
    private static partial void LogRetry(ILogger logger, int attempt, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown ended with {Count} call-log records unwritten")]
    private static partial void LogLost(ILogger logger, long count);
}
