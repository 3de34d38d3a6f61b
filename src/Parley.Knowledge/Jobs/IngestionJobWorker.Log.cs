using Microsoft.Extensions.Logging;
using Parley.Domain;

namespace Parley.Knowledge.Jobs;

/// <summary>What the ingestion worker logs.</summary>
public sealed partial class IngestionJobWorker
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion job {JobId} of account {Account} started (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogStarted(ILogger logger, Guid jobId, AccountId account, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion job {JobId} done: {Result}, {Chunks} chunks")]
    private static partial void LogSucceeded(ILogger logger, Guid jobId, string result, int chunks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion job {JobId} failed on attempt {Attempt}; retry in {RetrySeconds} s (none: failed for good)")]
    private static partial void LogFailed(ILogger logger, Guid jobId, int attempt, double? retrySeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion job {JobId} is no longer this worker's (lease lost); stopped working on it")]
    private static partial void LogLeaseLost(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of ingestion job {JobId} failed; will try again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim ingestion jobs; will look again")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record an ingestion job's state; its lease will run out and it will be claimed again")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception);
}
