using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Monitoring.Performance;

/// <summary>
/// The design's PerformanceService, computed in SQL from the durable per-search records, so the figures
/// survive restarts and every server process answers the same. Percentiles are
/// <c>percentile_cont</c> (linear interpolation between the two nearest ranks).
/// </summary>
public sealed class PerformanceService(
    [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource,
    TimeProvider time)
{
    /// <summary>At most this many buckets in one series: a chart has no use for more points than pixels.</summary>
    public const int MaxBuckets = 1500;

    public async Task<RagMetrics> RagAsync(AccountId account, string? window, CancellationToken cancellationToken)
    {
        var span = Window.Parse(window ?? "15m");
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("""
            SELECT count(*),
                   coalesce(avg(search_ms), 0),
                   coalesce(percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY search_ms), ARRAY[0, 0, 0]::float8[]),
                   coalesce(avg(CASE WHEN embedding_cached THEN 1.0 ELSE 0.0 END) FILTER (WHERE embedding_cached IS NOT NULL), 0)::float8,
                   coalesce(avg(embed_ms) FILTER (WHERE embed_ms IS NOT NULL), 0)
            FROM search_records
            WHERE account_id = $1 AND occurred_at > $2
            """)
        {
            Parameters = { new() { Value = account.Value }, new() { Value = time.GetUtcNow() - span } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var p = reader.GetFieldValue<double[]>(2);
        return new RagMetrics(Round(reader.GetDouble(1)), Round(p[0]), Round(p[1]), Round(p[2]),
            Math.Round(reader.GetDouble(3), 4), Round(reader.GetDouble(4)), reader.GetInt64(0), window ?? "15m");
    }

    public async Task<MetricsSeries> SeriesAsync(AccountId account, string? window, string? step, CancellationToken cancellationToken)
    {
        var span = Window.Parse(window ?? "1h");
        var stepSpan = Window.Parse(step ?? "1m", "step");
        if (stepSpan > span || span / stepSpan > MaxBuckets)
        {
            throw new InvalidRequestException("step", $"step must be at most the window and give at most {MaxBuckets} buckets.");
        }
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        // Buckets are aligned to multiples of the step since the Unix epoch, so two calls agree on them.
        batch.Add(new NpgsqlBatchCommand("""
            WITH s AS (
              SELECT date_bin($3, occurred_at, timestamptz 'epoch') AS at,
                     count(*) AS searches,
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY search_ms) AS p50,
                     percentile_cont(0.95) WITHIN GROUP (ORDER BY search_ms) AS p95,
                     avg(CASE WHEN embedding_cached THEN 1.0 ELSE 0.0 END) FILTER (WHERE embedding_cached IS NOT NULL)::float8 AS hit_rate
              FROM search_records
              WHERE account_id = $1 AND occurred_at > $2
              GROUP BY 1),
            t AS (
              SELECT date_bin($3, created_at, timestamptz 'epoch') AS at,
                     count(*) AS turns, avg(total_ms) AS turn_ms, avg(embed_ms) AS embed_ms, avg(search_ms) AS search_ms,
                     avg(llm_ms) AS llm_ms, avg(tts_ms) AS tts_ms
              FROM call_turns
              WHERE account_id = $1 AND created_at > $2
              GROUP BY 1)
            SELECT at, coalesce(s.searches, 0), s.p50, s.p95, s.hit_rate,
                   coalesce(t.turns, 0), t.turn_ms, t.embed_ms, t.search_ms, t.llm_ms, t.tts_ms
            FROM s FULL JOIN t USING (at)
            ORDER BY at
            """)
        {
            Parameters = { new() { Value = account.Value }, new() { Value = time.GetUtcNow() - span }, new() { Value = stepSpan } },
        });
        var points = new List<SeriesPoint>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new SeriesPoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1),
                Nullable(reader, 2), Nullable(reader, 3), Nullable(reader, 4, 4), reader.GetInt64(5),
                Nullable(reader, 6), Nullable(reader, 7), Nullable(reader, 8), Nullable(reader, 9), Nullable(reader, 10)));
        }
        return new MetricsSeries(step ?? "1m", points);
    }

    private static double? Nullable(NpgsqlDataReader reader, int ordinal, int digits = 3) =>
        reader.IsDBNull(ordinal) ? null : Math.Round(reader.GetDouble(ordinal), digits);

    private static double Round(double ms) => Math.Round(ms, 3);
}
