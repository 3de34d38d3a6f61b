using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.CallLog;

/// <summary>
/// Call logs never lost, never in the way. A turn's records are appended to a local spool before the
/// answer goes back (one write to the kernel, a few microseconds; see <see cref="RecordSpool"/>), then
/// queued in memory and written in batches off the response path. While the database is unreachable a
/// batch is retried with exponential backoff for as long as it takes; a record the database refuses is
/// set aside in the dead-letter table instead of holding up the rest; a process killed at any moment
/// leaves its records in the spool, and the next start writes them.
/// </summary>
/// <remarks>
/// Why a spool and not a group commit (the turn waiting for its row's INSERT, shared with concurrent
/// turns): a commit puts a database round trip, and with <c>synchronous_commit</c> a WAL flush, on every
/// answer; and while the database is down a turn could then either wait (and miss its budget) or answer
/// without its record being anywhere durable. Appending to a local file costs microseconds whether the
/// database is up or not (<c>./parley bench turn</c>: the call-log row in its table), and survives the
/// process. What it does not cover is a crash of the whole host within the few milliseconds between the
/// write and the background fsync that follows it.
/// </remarks>
public sealed partial class CallLogWriter : BatchingWriter<CallLogRecord>
{
    public const string TurnKind = "call_turn";
    public const string UsageKind = "usage_record";

    private readonly CallLogStore _store;
    private readonly ILogger<CallLogWriter> _logger;

    public CallLogWriter(CallLogStore store, IOptions<CallOptions> options, IOptions<DatabaseOptions> database, DeadLetterStore deadLetters,
        DataMetrics dataMetrics, IMeterFactory meters, TimeProvider time, ILogger<CallLogWriter> logger)
        : base(Settings(options.Value, database.Value, time), deadLetters, dataMetrics, time, logger)
    {
        _store = store;
        _logger = logger;
        var meter = meters.Create(CallMetrics.MeterName);
        meter.CreateObservableGauge("parley.calllog.backlog", () => Backlog, "{record}", "Call-log records waiting to be written");
        meter.CreateObservableCounter("parley.calllog.dropped", () => Dropped, "{record}", "Records lost: no room in memory nor in the spool, or their account deleted");
        meter.CreateObservableGauge("parley.calllog.spool.size", () => SpoolBytes, "By", "Bytes of call-log records in this process's local spool");
    }

    private static BatchingWriterSettings<CallLogRecord> Settings(CallOptions options, DatabaseOptions database, TimeProvider time) =>
        new("call_log", options.CallLogCapacity, BatchSize: 500, MaxRetries: null, CallLogRecord.Json,
            options.Spool ? RecordSpool.Open(options.ResolvedSpoolPath, "calllog", database.ConnectionString!, options.SpoolMegabytes * 1024L * 1024,
                TimeSpan.FromMilliseconds(options.SpoolSyncMilliseconds), time) : null);

    public void Enqueue(CallTurn turn, IEnumerable<UsageRecord> usage)
    {
        TryEnqueue(new CallLogRecord(turn, null));
        foreach (var u in usage)
        {
            TryEnqueue(new CallLogRecord(null, u));
        }
    }

    protected override RecordKey Describe(CallLogRecord record) => record.Turn is { } t
        ? new RecordKey(t.AccountId, t.Id, TurnKind)
        : new RecordKey(record.Usage!.AccountId, record.Usage.Id, UsageKind);

    protected override Task WriteBatchAsync(IReadOnlyList<CallLogRecord> batch, CancellationToken cancellationToken) =>
        _store.AppendAsync(
            batch.Where(r => r.Turn is not null).Select(r => r.Turn!).ToList(),
            batch.Where(r => r.Usage is not null).Select(r => r.Usage!).ToList(),
            cancellationToken);

    protected override void Retrying(int attempt, Exception? exception) => LogRetry(_logger, attempt, exception);

    protected override void Unwritten(long count) => LogUnwritten(_logger, count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call-log write failed (attempt {Attempt}); retrying, records kept")]
    private static partial void LogRetry(ILogger logger, int attempt, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown ended with {Count} call-log records unwritten; the spool (when on) keeps them for the next start")]
    private static partial void LogUnwritten(ILogger logger, long count);
}
