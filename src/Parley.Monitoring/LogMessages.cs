using Microsoft.Extensions.Logging;

namespace Parley.Monitoring;

/// <summary>Every log line of the monitoring side, source-generated.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing per-search records failed (attempt {Attempt}); retrying")]
    public static partial void RecordWriteRetry(ILogger logger, int attempt, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} per-search records dropped after repeated write failures")]
    public static partial void RecordsLost(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown ended with {Count} per-search records unwritten")]
    public static partial void RecordsUnwritten(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} raised for account {AccountId}: {Message}")]
    public static partial void AlertRaised(ILogger logger, Guid alertId, Guid accountId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {AlertId} of account {AccountId} resolved")]
    public static partial void AlertResolved(ILogger logger, Guid alertId, Guid accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} could not be delivered to the webhook; will retry at the next check")]
    public static partial void DeliveryFailed(ILogger logger, Guid alertId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Latency check skipped: another process holds the monitor lock")]
    public static partial void NotLeader(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Latency check failed; will run again at the next interval")]
    public static partial void CheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} per-search records older than {Hours} h")]
    public static partial void Pruned(ILogger logger, int count, int hours);
}
