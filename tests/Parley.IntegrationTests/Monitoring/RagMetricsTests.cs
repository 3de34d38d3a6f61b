using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Calls.CallLog;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed class RagMetricsTests(MonitoringFixture fx) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Rag_metrics_agree_with_percentiles_computed_from_the_raw_per_search_records()
    {
        var (account, client) = await fx.NewTenantAsync("Measured Bistro");
        await Tenants.SeedAsync(client);
        // 24 searches, each question four times: the repeats are embedding-cache hits.
        for (var round = 0; round < 4; round++)
        {
            foreach (var q in Tenants.Questions)
            {
                await Tenants.SearchAsync(client, Tenants.Unique(q, account));
            }
        }
        await fx.FlushRecordsAsync();

        var rows = new List<(double Search, double? Embed, bool? Cached)>();
        await using (var ds = NpgsqlDataSource.Create(fx.Server.Superuser(fx.ConnectionString)))
        await using (var cmd = ds.CreateCommand("SELECT search_ms, embed_ms, embedding_cached FROM search_records WHERE account_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = account });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetDouble(0), reader.IsDBNull(1) ? null : reader.GetDouble(1), reader.IsDBNull(2) ? null : reader.GetBoolean(2)));
            }
        }
        Assert.Equal(24, rows.Count);
        var sorted = rows.Select(r => r.Search).Order().ToArray();

        var rag = await client.GetFromJsonAsync<JsonElement>("/v1/metrics/rag?window=15m");
        Assert.Equal(24, rag.GetProperty("totalSearches").GetInt64());
        Assert.Equal(sorted.Average(), rag.GetProperty("averageSearchMs").GetDouble(), 0.002);
        Assert.Equal(Percentile(sorted, 0.50), rag.GetProperty("p50SearchMs").GetDouble(), 0.002);
        Assert.Equal(Percentile(sorted, 0.95), rag.GetProperty("p95SearchMs").GetDouble(), 0.002);
        Assert.Equal(Percentile(sorted, 0.99), rag.GetProperty("p99SearchMs").GetDouble(), 0.002);
        Assert.Equal(rows.Average(r => r.Embed!.Value), rag.GetProperty("averageEmbeddingMs").GetDouble(), 0.002);
        Assert.Equal(18 / 24.0, rag.GetProperty("cacheHitRate").GetDouble(), 0.0001);
        Assert.Equal(rows.Count(r => r.Cached == true) / 24.0, rag.GetProperty("cacheHitRate").GetDouble(), 0.0001);
    }

    [Fact]
    public async Task The_series_buckets_the_callers_searches_and_turns_by_step()
    {
        var (_, client) = await fx.NewTenantAsync("Charted Bistro");
        await Tenants.SeedAsync(client);
        foreach (var q in Tenants.Questions[..4])
        {
            await Tenants.SearchAsync(client, q);
        }
        var call = await Tenants.StartCallAsync(client);
        await Tenants.TurnAsync(client, call, Tenants.Questions[4]);
        await Tenants.TurnAsync(client, call, Tenants.Questions[5]);
        await fx.FlushRecordsAsync();
        await fx.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);

        var series = await client.GetFromJsonAsync<JsonElement>("/v1/metrics/series?window=1h&step=1m");
        Assert.Equal("1m", series.GetProperty("step").GetString());
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.NotEmpty(points);
        var at = points.Select(p => p.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(at.Order(), at);
        Assert.All(at, t => Assert.Equal(0, t.ToUnixTimeSeconds() % 60));
        // Four API searches plus the turns' own searches (unless a turn's budget cut one off).
        Assert.InRange(points.Sum(p => p.GetProperty("searches").GetInt64()), 4, 6);
        Assert.Equal(2, points.Sum(p => p.GetProperty("turns").GetInt64()));
        var withTurns = points.First(p => p.GetProperty("turns").GetInt64() > 0);
        Assert.True(withTurns.GetProperty("avgTurnMs").GetDouble() >= withTurns.GetProperty("avgLlmMs").GetDouble());
        Assert.True(withTurns.GetProperty("avgEmbedMs").GetDouble() > 0);
    }

    [Theory]
    [InlineData("/v1/metrics/rag?window=abc", "window")]
    [InlineData("/v1/metrics/rag?window=0m", "window")]
    [InlineData("/v1/metrics/rag?window=31d", "window")]
    [InlineData("/v1/metrics/rag?window=15", "window")]
    [InlineData("/v1/metrics/series?window=1h&step=2h", "step")]
    [InlineData("/v1/metrics/series?window=1d&step=1s", "step")]
    [InlineData("/v1/metrics/series?window=1h&step=x", "step")]
    [InlineData("/v1/alerts?limit=0", "limit")]
    public async Task Bad_windows_steps_and_limits_are_400_problem_details_naming_the_field(string path, string field)
    {
        var (_, client) = await fx.NewTenantAsync("Careless Bistro");
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Metrics_and_alerts_need_a_key_and_database_figures_the_admin_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client(null).GetAsync("/v1/metrics/rag")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client(null).GetAsync("/v1/alerts")).StatusCode);
        var (_, client) = await fx.NewTenantAsync("Curious Bistro");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/metrics/database")).StatusCode);
        // The admin key alone names no account: per-account figures need X-Parley-Account.
        Assert.Equal(HttpStatusCode.BadRequest, (await fx.Admin.GetAsync("/v1/metrics/rag")).StatusCode);
    }

    /// <summary>PostgreSQL's percentile_cont: linear interpolation between the ranks around p·(n−1).</summary>
    private static double Percentile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
