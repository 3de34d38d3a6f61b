using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Parley.Domain.Knowledge;

namespace Parley.Monitoring.Records;

/// <summary>
/// The durable per-search records behind <c>/v1/metrics/rag</c> and the latency monitor. A search only
/// queues its record (bounded channel: a slow database never slows a search, and memory stays bounded;
/// what does not fit is dropped and counted); this writer lands them in batches, one statement per
/// batch, across accounts under the platform scope (each row carries its account, row-level security
/// checks it). A record the database refuses is set aside in the dead-letter table, the rest of its batch lands.
/// </summary>
public sealed class SearchRecorder : BatchingWriter<SearchRecorder.SearchRecord>, ISearchObserver
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly MonitoringMetrics _metrics;
    private readonly ILogger<SearchRecorder> _logger;

    public const string Kind = "search_record";

    // Records are statistics, not call logs: a batch is retried for a while (a database restart),
    // then dropped and counted rather than held forever; and they need no spool.
    public SearchRecorder(
        [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource,
        IOptions<MonitorOptions> options,
        TimeProvider time,
        MonitoringMetrics metrics,
        DeadLetterStore deadLetters,
        DataMetrics dataMetrics,
        ILogger<SearchRecorder> logger)
        : base(new BatchingWriterSettings<SearchRecord>("search_records", options.Value.RecordCapacity, BatchSize: 1000, MaxRetries: 6, SearchRecordJson.Default.SearchRecord),
            deadLetters, dataMetrics, time, logger)
    {
        _dataSource = dataSource;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveRecorder(() => Backlog, () => Dropped);
    }

    public void Searched(AccountId account, SearchObservation observation)
    {
        var now = _time.GetUtcNow();
        TryEnqueue(new SearchRecord(account, Guid.CreateVersion7(now), now, observation));
    }

    protected override RecordKey Describe(SearchRecord record) => new(record.Account, record.Id, Kind);

    protected override void Written(int count) => _metrics.Written(count);

    protected override void Retrying(int attempt, Exception? exception) => LogMessages.RecordWriteRetry(_logger, attempt, exception);

    protected override void Lost(int count, Exception exception) => LogMessages.RecordsLost(_logger, count, exception);

    protected override void Unwritten(long count) => LogMessages.RecordsUnwritten(_logger, count);

    /// <summary>
    /// One multi-row INSERT from arrays (unnest): PostgreSQL refuses COPY FROM into a table under
    /// row-level security, and a single parameterised statement keeps a batch at one round trip.
    /// </summary>
    protected override async Task WriteBatchAsync(IReadOnlyList<SearchRecord> records, CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("""
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

    /// <summary>One search as queued for its row.</summary>
    public sealed record SearchRecord(AccountId Account, Guid Id, DateTimeOffset At, SearchObservation Observation);
}

/// <summary>A search record as JSON: its dead-letter payload.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SearchRecorder.SearchRecord))]
internal sealed partial class SearchRecordJson : JsonSerializerContext;
