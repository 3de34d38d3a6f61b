using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Parley.Data.Writers;

/// <summary>Landing a batch: retries, the split that finds a refused record, its dead letter, and reading back a spool.</summary>
public abstract partial class BatchingWriter<T>
{
    private const int MaxErrorLength = 2000;

    /// <summary>Writes a batch, splitting it around refused records; gives it up only when retries of a passing failure run out.</summary>
    private async Task LandAsync(List<T> records, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await StoreAsync(records, cancellationToken);
            if (stored > 0)
            {
                Written(stored);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Add(ref _dropped, records.Count);
            Lost(records.Count, e);
        }
    }

    /// <summary>
    /// Bisection: a batch of n with one bad record costs about 2·log2(n) extra statements, and the good
    /// records of a batch are never held back by a bad one. Returns the records written (not set aside).
    /// </summary>
    private async Task<int> StoreAsync(List<T> records, CancellationToken cancellationToken)
    {
        try
        {
            await _retry.ExecuteAsync(async ct => await WriteBatchAsync(records, ct), cancellationToken);
            return records.Count;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && DatabaseErrors.IsRefusedValue(e))
        {
            if (records.Count == 1)
            {
                await SetAsideAsync(records[0], e, cancellationToken);
                return 0;
            }
            _metrics.Split(_settings.Name);
            var half = records.Count / 2;
            return await StoreAsync(records.GetRange(0, half), cancellationToken)
                + await StoreAsync(records.GetRange(half, records.Count - half), cancellationToken);
        }
    }

    private async Task SetAsideAsync(T record, Exception error, CancellationToken cancellationToken)
    {
        var key = Describe(record);
        string payload;
        try
        {
            payload = JsonSerializer.Serialize(record, _settings.Json);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            payload = JsonSerializer.Serialize(new { unserializable = e.Message }, JsonSerializerOptions.Default);
        }
        var postgres = Postgres(error);
        var message = postgres is null ? $"{error.GetType().Name}: {error.Message}" : $"{postgres.SqlState}: {postgres.MessageText}";
        var letter = new DeadLetter(key.Account, key.Id, key.Kind, payload, message.Length > MaxErrorLength ? message[..MaxErrorLength] : message,
            postgres?.SqlState, _time.GetUtcNow());
        try
        {
            var outcome = await _retry.ExecuteAsync(async ct => await _deadLetters.AddAsync(letter, ct), cancellationToken);
            if (outcome == DeadLetterStore.Outcome.AccountGone)
            {
                Interlocked.Increment(ref _dropped);
                LogAccountGone(_logger, _settings.Name, key.Kind, key.Id, key.Account.Value);
                return;
            }
            Interlocked.Increment(ref _setAside);
            LogSetAside(_logger, _settings.Name, key.Kind, key.Id, key.Account.Value, letter.Error);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The dead-letter table itself refuses it (missing, or a retry limit ran out): nowhere left to keep it.
            Interlocked.Increment(ref _dropped);
            LogDeadLetterFailed(_logger, _settings.Name, key.Kind, key.Id, e);
        }
    }

    private static PostgresException? Postgres(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pe)
            {
                return pe;
            }
        }
        return null;
    }

    /// <summary>
    /// Reads back spool segments (left by a process that stopped, or holding records beyond the
    /// in-memory queue) and lands their records like any batch. The stores are idempotent on the
    /// records' own ids, so a record that was written before is not written twice.
    /// </summary>
    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        if (_settings.Spool is not { } spool)
        {
            return;
        }
        foreach (var replay in spool.TakeReplays())
        {
            var records = new List<T>();
            var unreadable = 0;
            foreach (var line in RecordSpool.ReadLines(replay))
            {
                try
                {
                    if (JsonSerializer.Deserialize(line.Span, _settings.Json) is { } record)
                    {
                        records.Add(record);
                    }
                }
                catch (JsonException)
                {
                    unreadable++;
                }
            }
            Interlocked.Add(ref _pending, records.Count);
            for (var i = 0; i < records.Count; i += _settings.BatchSize)
            {
                var batch = records.GetRange(i, Math.Min(_settings.BatchSize, records.Count - i));
                await LandAsync(batch, cancellationToken);
                Interlocked.Add(ref _pending, -batch.Count);
            }
            Interlocked.Add(ref _overflowed, -replay.Overflowed);
            _metrics.Replayed(records.Count);
            RecordSpool.Finish(replay);
            LogReplayed(_logger, _settings.Name, records.Count, unreadable, replay.Path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Writer}: the database refused {Kind} {Id} of account {Account}; set aside in dead_letters ({Error})")]
    private static partial void LogSetAside(ILogger logger, string writer, string kind, Guid id, Guid account, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Writer}: {Kind} {Id} was refused and its account {Account} no longer exists; dropped")]
    private static partial void LogAccountGone(ILogger logger, string writer, string kind, Guid id, Guid account);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Writer}: {Kind} {Id} was refused and could not be set aside either; dropped")]
    private static partial void LogDeadLetterFailed(ILogger logger, string writer, string kind, Guid id, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Writer}: read back {Count} records from the spool ({Unreadable} unreadable lines) of {Path}")]
    private static partial void LogReplayed(ILogger logger, string writer, int count, int unreadable, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Writer}: the database fails for a reason that is neither passing nor the records' (configuration, schema?); retrying until it is mended")]
    private static partial void LogStuck(ILogger logger, string writer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Writer}: a record could not be written to the spool (not expressible as JSON, or the disk failed); it is kept in memory only")]
    private static partial void LogUnspoolable(ILogger logger, string writer, Exception exception);
}
