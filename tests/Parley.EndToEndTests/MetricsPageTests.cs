using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>The metrics page against the metrics contract: charts, summary and alerts; an empty state when the endpoints are missing.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class MetricsPageTests(EndToEndFixture e2e)
{
    private async Task ActAsAsync(IPage page, Guid account)
    {
        await SignInAsync(page, e2e.Server.BaseUrl, ParleyAppFactory.AdminKey);
        await page.Locator("#account-select").SelectOptionAsync(account.ToString());
        await NavigateAsync(page, "Metrics");
    }

    [Fact]
    public async Task The_metrics_page_draws_the_series_the_summary_and_open_and_past_alerts()
    {
        var tenant = await e2e.Seed.TenantAsync("Busy bistro");
        e2e.Metrics.DataFor = tenant.Id;
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await ActAsAsync(page, tenant.Id);
            await Expect(page.Locator("#rag-summary")).ToContainTextAsync("1234");
            await Expect(page.Locator("#rag-summary")).ToContainTextAsync("42 ms"); // p95 41.5
            await Expect(page.Locator("#rag-summary")).ToContainTextAsync("62.0%");
            var charts = page.Locator("#charts figure.chart");
            await Expect(charts).ToHaveCountAsync(4);
            // p50 and p95 lines break over the quiet minutes the series leaves out: more than one stroke each.
            var latency = charts.Nth(0);
            Assert.True(await latency.Locator("path.line").CountAsync() >= 2);
            Assert.Contains("M", await latency.Locator("path.line").First.GetAttributeAsync("d") ?? "", StringComparison.Ordinal);
            Assert.True((await latency.Locator("path.line").First.GetAttributeAsync("d"))!.Split('M').Length > 2, "the p50 line should restart after a gap");
            await Expect(latency.Locator("line.ref")).ToHaveCountAsync(1);
            Assert.True(await charts.Nth(1).Locator("rect").CountAsync() > 100, "stacked stage bars expected");
            Assert.True(await charts.Nth(3).Locator("rect").CountAsync() > 30, "one bar per busy minute expected");
            await latency.HoverAsync();
            await Expect(latency.Locator(".chart-tip")).ToContainTextAsync("p95");

            var alerts = page.Locator("#alerts");
            await Expect(alerts.Locator("h3").First).ToHaveTextAsync("Open (1)");
            await Expect(alerts.Locator("h3").Nth(1)).ToHaveTextAsync("Past (1)");
            await Expect(alerts).ToContainTextAsync("p95 search time 241 ms passed 200 ms");
            await Expect(alerts.Locator(".badge.bad")).ToHaveTextAsync("open");
        });
    }

    [Fact]
    public async Task Without_metrics_endpoints_the_page_shows_an_empty_state_not_an_error()
    {
        var tenant = await e2e.Seed.TenantAsync("Quiet bistro");
        e2e.Metrics.MissingFor = tenant.Id;
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await ActAsAsync(page, tenant.Id);
            await Expect(page.Locator("main")).ToContainTextAsync("No time series on this server");
            await Expect(page.Locator("main")).ToContainTextAsync("No RAG metrics on this server");
            await Expect(page.Locator("main")).ToContainTextAsync("No alerts endpoint on this server");
            await Expect(page.Locator("main .error")).ToHaveCountAsync(0);
        });
    }
}
