using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Parley.Data;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Polly;
using Polly.Retry;

namespace Parley.Monitoring.Records;

/// <summary>
/// The durable per-search records behind <c>/v1/metrics/rag</c> and the latency monitor. A search only
/// queues its record (bounded channel: a slow database never slows a search, and memory stays bounded;
/// what does not fit is dropped and counted); this writer lands them in batches, one statement per
/// batch, across accounts under the platform scope (each row carries its account, row-level security
/// checks it).
/// </summary>
public sealed class SearchRecorder : BackgroundService, ISearchObserver
{
    private const int BatchSize = 1000;

    private readonly Channel<SearchRecord> _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly MonitoringMetrics _metrics;
    private readonly ILogger<SearchRecorder> _logger;
    private readonly ResiliencePipeline _retry;
    private long _pending;
    private long _dropped;

    public SearchRecorder(
        [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource,
        IOptions<MonitorOptions> options,
        TimeProvider time,
        MonitoringMetrics metrics,
        ILogger<SearchRecorder> logger)
    {
        _dataSource = dataSource;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<SearchRecord>(new BoundedChannelOptions(options.Value.RecordCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        // Records are statistics, not call logs: a batch is retried for a while (a database restart),
        // then dropped and counted rather than held forever.
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 6,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a =>
                {
                    LogMessages.RecordWriteRetry(_logger, a.AttemptNumber, a.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        metrics.ObserveRecorder(() => Backlog, () => Interlocked.Read(ref _dropped));
    }

    /// <summary>Records queued and not yet written.</summary>
    public long Backlog => Interlocked.Read(ref _pending);

    public void Searched(AccountId account, SearchObservation observation)
    {
        var now = _time.GetUtcNow();
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(new SearchRecord(account, Guid.CreateVersion7(now), now, observation)))
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Waits until everything queued before the call is written (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<SearchRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }
                try
                {
                    await _retry.ExecuteAsync(async ct => await WriteAsync(batch, ct), stoppingToken);
                    _metrics.Written(batch.Count);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    LogMessages.RecordsLost(_logger, batch.Count, e);
                }
                Interlocked.Add(ref _pending, -batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One multi-row INSERT from arrays (unnest): PostgreSQL refuses COPY FROM into a table under
    /// row-level security, and a single parameterised statement keeps a batch at one round trip.
    /// </summary>
    private async Task WriteAsync(List<SearchRecord> records, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(TenantSql.BatchCommand(TenantScope.Platform));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO search_records (account_id, id, occurred_at, search_ms, embed_ms, total_ms, embedding_cached, strategy, results)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::boolean[], $8::text[], $9::integer[])
            """)
        {
            Parameters =
            {
                new() { Value = records.Select(r => r.Account.Value).ToArray() },
                new() { Value = records.Select(r => r.Id).ToArray() },
                new() { Value = records.Select(r => r.At).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = records.Select(r => r.Observation.SearchMs).ToArray() },
                new() { Value = records.Select(r => r.Observation.EmbedMs).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double },
                new() { Value = records.Select(r => r.Observation.TotalMs).ToArray() },
                new() { Value = records.Select(r => r.Observation.EmbeddingCached).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean },
                new() { Value = records.Select(r => r.Observation.Strategy).ToArray() },
                new() { Value = records.Select(r => r.Observation.Results).ToArray() },
            },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogMessages.RecordsUnwritten(_logger, Backlog);
        }
        await base.StopAsync(cancellationToken);
    }

    private sealed record SearchRecord(AccountId Account, Guid Id, DateTimeOffset At, SearchObservation Observation);
}
