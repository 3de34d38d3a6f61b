using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>
/// The metrics page over the real endpoints (<c>/v1/metrics/series</c>, <c>/v1/metrics/rag</c>, <c>/v1/alerts</c>)
/// after real searches, real phone turns and alerts raised and resolved by the server's own latency monitor.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class MetricsPageTests(EndToEndFixture e2e)
{
    private static readonly string[] Questions =
    [
        "When is the bistro open on Sunday?", "Is there parking nearby?", "How much is corkage?", "Can I bring my dog to the terrace?",
    ];

    private const string Menu = """
        # Harbor Bistro
        We are open Tuesday to Sunday, 12:00 to 22:00; Sunday brunch is served from 10:00.

        Free parking is available behind the restaurant, and a public garage is two streets away.

        Corkage is $25 per bottle. Dogs are welcome on the terrace, and gluten-free bread is baked daily.
        """;

    [Fact]
    public async Task The_metrics_page_shows_a_tenants_real_searches_turns_and_latency_alerts()
    {
        var tenant = await e2e.Seed.TenantAsync("Busy bistro");
        var agent = await Seed.AgentAsync(tenant, "Host");
        await Seed.DocumentAsync(tenant, "Harbor Bistro", Menu);
        var traffic = new Traffic(e2e.Server, tenant);
        // Each question twice: the second time a cache serves the query's embedding, so the hit rate is a real one.
        foreach (var question in Questions.Concat(Questions))
        {
            await traffic.SearchAsync(question);
        }
        await traffic.CallAsync(agent, "Can I bring my dog?", "Do you have gluten-free bread?", "Where do I park?");

        // 3 slow searches of about 14 are past the p95: the monitor raises HIGH_LATENCY.
        await traffic.SlowSearchesAsync(Questions[0], 3);
        var resolved = Assert.Single((await traffic.CheckAsync()).Raised, a => a.AccountId == tenant.Id);
        // 80 fast searches later they are 3 of about 95, behind the p95: the alert is resolved (a past alert).
        for (var i = 0; i < 80; i++)
        {
            await traffic.SearchAsync(Questions[i % Questions.Length]);
        }
        Assert.Contains((await traffic.CheckAsync()).Resolved, a => a.Id == resolved.Id);
        // 8 more slow ones (11 of about 103) raise a new alert, left open.
        await traffic.SlowSearchesAsync(Questions[1], 8);
        var open = Assert.Single((await traffic.CheckAsync()).Raised, a => a.AccountId == tenant.Id);
        var rag = await traffic.RecordedAsync();

        foreach (var (width, height) in new[] { (DesktopWidth, DesktopHeight), (PhoneWidth, PhoneHeight) })
        {
            await RunAsync(e2e.Browser, width, height, async page =>
            {
                await SignInAsync(page, e2e.Server.BaseUrl, ParleyAppFactory.AdminKey);
                await page.Locator("#account-select").SelectOptionAsync(tenant.Id.ToString());
                await NavigateAsync(page, "Metrics");

                var summary = page.Locator("#rag-summary");
                await Expect(Stat(summary, "searches")).ToHaveTextAsync(traffic.Searches.ToString(CultureInfo.InvariantCulture));
                await Expect(Stat(summary, "p95")).ToHaveTextAsync(Ms(rag.GetProperty("p95SearchMs").GetDouble()));
                await Expect(Stat(summary, "cache hit rate")).ToHaveTextAsync(Percent(rag.GetProperty("cacheHitRate").GetDouble()));

                var charts = page.Locator("#charts figure.chart");
                await Expect(charts).ToHaveCountAsync(4);
                await Expect(charts.Nth(0).Locator("path.line")).ToHaveCountAsync(2); // p50 and p95
                await Expect(charts.Nth(0).Locator("line.ref")).ToHaveCountAsync(1); // the search budget
                await Expect(charts.Nth(1).Locator("path.line")).ToHaveCountAsync(1); // average turn time
                await Expect(charts.Nth(1).Locator("rect[style]").First).ToBeVisibleAsync(); // stacked stage bars
                await Expect(charts.Nth(2).Locator("path.line")).ToHaveCountAsync(1); // hit rate
                Assert.Equal(traffic.Searches, await BarTotalAsync(page, charts.Nth(3)));

                var alerts = page.Locator("#alerts .alerts");
                await Expect(alerts.Nth(0).Locator("h3")).ToHaveTextAsync("Open (1)");
                await Expect(alerts.Nth(0).Locator("tbody tr")).ToContainTextAsync(open.Message);
                await Expect(alerts.Nth(0).Locator("tbody tr")).ToContainTextAsync("HIGH_LATENCY");
                await Expect(alerts.Nth(0).Locator(".badge.bad")).ToHaveTextAsync("open");
                await Expect(alerts.Nth(1).Locator("h3")).ToHaveTextAsync("Past (1)");
                await Expect(alerts.Nth(1).Locator("tbody tr")).ToContainTextAsync(resolved.Message);
                await Expect(alerts.Nth(1).Locator(".badge.bad")).ToHaveCountAsync(0);

                await AssertNoHorizontalOverflowAsync(page, "metrics");
                // From the top, with no read-out open: a full-page shot of a scrolled page draws the sticky header mid-page.
                await page.Mouse.MoveAsync(0, 0);
                await page.EvaluateAsync("() => window.scrollTo(0, 0)");
                await ScreenshotAsync(page, $"metrics-{width}x{height}");
            });
        }
    }

    [Fact]
    public async Task A_tenant_with_no_searches_yet_sees_that_there_is_no_data_not_an_error()
    {
        var tenant = await e2e.Seed.TenantAsync("Quiet bistro");
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, e2e.Server.BaseUrl, tenant.Key);
            await NavigateAsync(page, "Metrics");
            await Expect(page.Locator("#rag-summary")).ToContainTextAsync("No searches yet");
            await Expect(page.Locator("#charts")).ToContainTextAsync("No data yet");
            await Expect(page.Locator("#charts figure.chart")).ToHaveCountAsync(0);
            await Expect(page.Locator("#alerts")).ToContainTextAsync("No open alerts.");
            await Expect(page.Locator("#alerts")).ToContainTextAsync("No past alerts.");
            await Expect(page.Locator("main .error")).ToHaveCountAsync(0);
            await ScreenshotAsync(page, "metrics-no-data");
        });
    }

    [Fact]
    public async Task Searches_made_only_by_phone_turns_show_no_cache_hit_rate_rather_than_zero()
    {
        var tenant = await e2e.Seed.TenantAsync("Phone-only bistro");
        var agent = await Seed.AgentAsync(tenant, "Host");
        await Seed.DocumentAsync(tenant, "Harbor Bistro", Menu);
        var traffic = new Traffic(e2e.Server, tenant);
        // On a loaded machine a turn's search can be cut off at its 100 ms budget, and then it is not recorded.
        for (var i = 0; i < 3 && traffic.Searches == 0; i++)
        {
            await traffic.CallAsync(agent, "Where do I park?");
        }
        Assert.Equal(1, traffic.Searches);
        await traffic.RecordedAsync();

        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, e2e.Server.BaseUrl, tenant.Key);
            await NavigateAsync(page, "Metrics");
            var summary = page.Locator("#rag-summary");
            await Expect(Stat(summary, "searches")).ToHaveTextAsync("1");
            // The turn embedded the question itself: the endpoint's 0 here means "none measured", not a 0% hit rate.
            await Expect(Stat(summary, "cache hit rate")).ToHaveTextAsync("—");
            await Expect(Stat(summary, "embedding")).ToHaveTextAsync("—");
            await Expect(page.Locator("#charts figure.chart").Nth(1).Locator("path.line")).ToHaveCountAsync(1); // the turn
            await Expect(page.Locator("#charts figure.chart").Nth(2).Locator("path.line, circle")).ToHaveCountAsync(0); // no hit rate
        });
    }

    private static ILocator Stat(ILocator summary, string label) => summary.Locator(".stat", new() { HasText = label }).Locator("strong");

    /// <summary>The searches a bar chart shows: each bar hovered, its read-out summed.</summary>
    private static async Task<int> BarTotalAsync(IPage page, ILocator chart)
    {
        await chart.ScrollIntoViewIfNeededAsync();
        var bars = chart.Locator("rect[style]");
        await Expect(bars.First).ToBeVisibleAsync();
        var total = 0;
        foreach (var bar in await bars.AllAsync())
        {
            var box = (await bar.BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
            var tip = await chart.Locator(".chart-tip").InnerTextAsync();
            var count = PerMinute().Match(tip);
            Assert.True(count.Success, tip);
            total += int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        return total;
    }

    /// <summary>lib.js <c>fmtMs</c>: one decimal under 10 ms, whole milliseconds above.</summary>
    private static string Ms(double v) =>
        (v < 10 ? v.ToString("0.0", CultureInfo.InvariantCulture) : Math.Round(v, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)) + " ms";

    /// <summary>lib.js <c>fmtPct</c>.</summary>
    private static string Percent(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    [GeneratedRegex(@"searches/min: (\d+)")]
    private static partial Regex PerMinute();
}
