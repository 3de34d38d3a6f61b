using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.CallLog;

/// <summary>
/// Call logs never lost, never in the way: turns and usage are queued in memory (bounded) and written
/// in batches off the response path. While the database is unreachable a batch is retried with
/// exponential backoff for as long as it takes, holding the records, and everything lands once it is
/// back. On shutdown the queue is flushed.
/// </summary>
public sealed partial class CallLogWriter : BatchingWriter<(CallTurn? Turn, UsageRecord? Usage)>
{
    private readonly CallLogStore _store;
    private readonly ILogger<CallLogWriter> _logger;

    public CallLogWriter(CallLogStore store, IOptions<CallOptions> options, IMeterFactory meters, TimeProvider time, ILogger<CallLogWriter> logger)
        : base(options.Value.CallLogCapacity, batchSize: 500, maxRetries: null, time)
    {
        _store = store;
        _logger = logger;
        var meter = meters.Create(CallMetrics.MeterName);
        meter.CreateObservableGauge("parley.calllog.backlog", () => Backlog, "{record}", "Call-log records waiting to be written");
        meter.CreateObservableCounter("parley.calllog.dropped", () => Dropped, "{record}", "Records dropped because the backlog was full");
    }

    public void Enqueue(CallTurn turn, IEnumerable<UsageRecord> usage)
    {
        TryEnqueue((turn, null));
        foreach (var u in usage)
        {
            TryEnqueue((null, u));
        }
    }

    protected override Task WriteBatchAsync(IReadOnlyList<(CallTurn? Turn, UsageRecord? Usage)> batch, CancellationToken cancellationToken) =>
        _store.AppendAsync(
            batch.Where(r => r.Turn is not null).Select(r => r.Turn!).ToList(),
            batch.Where(r => r.Usage is not null).Select(r => r.Usage!).ToList(),
            cancellationToken);

    protected override void Retrying(int attempt, Exception? exception) => LogRetry(_logger, attempt, exception);

    protected override void Unwritten(long count) => LogLost(_logger, count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call-log write failed (attempt {Attempt}); retrying, records kept")]
    private static partial void LogRetry(ILogger logger, int attempt, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown ended with {Count} call-log records unwritten")]
    private static partial void LogLost(ILogger logger, long count);
}
