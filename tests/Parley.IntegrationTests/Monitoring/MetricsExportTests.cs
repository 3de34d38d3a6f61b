using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Parley.Calls.CallLog;
using Parley.Knowledge;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

public sealed class MetricsExportTests(MonitoringFixture fx) : IClassFixture<MonitoringFixture>
{
    [Fact]
    public async Task Scraping_metrics_after_searches_and_turns_finds_the_histograms_tagged_by_account()
    {
        var (account, client) = await fx.NewTenantAsync("Scraped Bistro");
        await Tenants.SeedAsync(client);
        foreach (var q in Tenants.Questions[..3])
        {
            await Tenants.SearchAsync(client, Tenants.Unique(q, account));
        }
        var call = await Tenants.StartCallAsync(client);
        await Tenants.TurnAsync(client, call, Tenants.Unique(Tenants.Questions[3], account));
        await Tenants.TurnAsync(client, call, Tenants.Unique(Tenants.Questions[4], account));
        await fx.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);

        var response = await fx.Admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var tag = $"parley_account_id=\"{account}\"";

        Assert.Equal(2, Sum(text, "parley_turn_duration_seconds_count", tag));
        Assert.Equal(2, Sum(text, "parley_turns_total", tag));
        Assert.Equal(2, Sum(text, "parley_turn_stage_duration_seconds_count", tag, "parley_stage=\"llm\""));
        // Three API searches, plus one per turn unless the turn's search budget cut it off.
        Assert.InRange(Sum(text, "parley_search_duration_seconds_count", tag), 3, 5);
        Assert.InRange(Sum(text, "parley_searches_total", tag), 3, 5);
        // Every question was new: each was embedded by the model, none came from the embedding cache. So
        // was every chunk of the seeded documents: the cache is per account, and this account is new.
        var chunks = Sum(text, "parley_ingested_chunks_total", tag);
        Assert.Equal(5 + chunks, Sum(text, "parley_embedding_cache_misses_total", tag));
        // One model call per question, plus at least one per seeded document (a call embeds up to 32 chunks).
        Assert.InRange(Sum(text, "parley_embedding_duration_seconds_count", tag), 5 + 1, 5 + chunks);
        Assert.Equal(2, Sum(text, "parley_answer_cache_misses_total", tag));
        Assert.True(Sum(text, "parley_ingested_chunks_total", tag) >= 5);
        // A histogram's buckets are cumulative and end with +Inf = count.
        Assert.Equal(2, Sum(text, "parley_turn_duration_seconds_bucket", tag, "le=\"+Inf\""));
        // Npgsql's pool gauges for both pools, and the writers' backlogs.
        Assert.Contains(Lines(text, "db_client_connection_max"), l => l.Contains("\"parley-tx\"", StringComparison.Ordinal));
        Assert.Contains(Lines(text, "db_client_connection_max"), l => l.Contains("\"parley-vector\"", StringComparison.Ordinal));
        Assert.NotEmpty(Lines(text, "parley_calllog_backlog"));
        Assert.NotEmpty(Lines(text, "parley_monitor_records_backlog"));
    }

    [Fact]
    public async Task The_search_histogram_is_named_by_OpenTelemetry_conventions_in_seconds_with_its_tags()
    {
        var (account, client) = await fx.NewTenantAsync("Collected Bistro");
        await Tenants.SeedAsync(client);
        var meters = fx.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var duration = new MetricCollector<double>(meters, KnowledgeMetrics.MeterName, "parley.search.duration");
        using var turns = new MetricCollector<double>(meters, Parley.Calls.CallMetrics.MeterName, "parley.turn.stage.duration");

        var result = await Tenants.SearchAsync(client, "How much is corkage?");
        var mine = duration.GetMeasurementSnapshot().Where(m => Equals(m.Tags["parley.account.id"], account.ToString())).ToList();
        var m = Assert.Single(mine);
        Assert.Equal("exact", m.Tags["parley.search.strategy"]);
        Assert.Equal("vector", m.Tags["parley.search.mode"]);
        Assert.Equal("s", duration.Instrument!.Unit);
        // Seconds, not milliseconds: the same query the response timed in ms.
        Assert.Equal(result.GetProperty("timings").GetProperty("searchMs").GetDouble(), m.Value * 1000, 0.01);

        var call = await Tenants.StartCallAsync(client);
        await Tenants.TurnAsync(client, call, "Can I bring my dog?");
        var stages = turns.GetMeasurementSnapshot().Where(s => Equals(s.Tags["parley.account.id"], account.ToString()))
            .Select(s => (string)s.Tags["parley.stage"]!).Order().ToList();
        // The turn asked for no audio (speak=false): the speech stage did not run, so it has no duration.
        Assert.Equal(["embed", "llm", "search"], stages);
    }

    private static List<string> Lines(string text, string metric) =>
        text.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal)).ToList();

    /// <summary>Adds the values of the metric's series carrying every label (<c>name{labels} value [timestamp]</c>).</summary>
    private static double Sum(string text, string metric, params string[] labels) =>
        Lines(text, metric).Where(l => labels.All(t => l.Contains(t, StringComparison.Ordinal)))
            .Sum(l => double.Parse((l.Contains('}') ? l[(l.LastIndexOf('}') + 1)..] : l[l.IndexOf(' ')..]).Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
