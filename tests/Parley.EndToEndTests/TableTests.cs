using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>The shared data table (table.js) driven on the knowledge base: search, sort both ways, and paging.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TableTests(EndToEndFixture e2e)
{
    private const int PageSize = 20;

    [Fact]
    public async Task The_documents_table_filters_on_search_flips_its_order_on_a_header_click_and_pages_forward()
    {
        var tenant = await e2e.Seed.TenantAsync("Table driver");
        // 23 documents: more than a desktop page of 20, with two that a search for "wine" must single out.
        var titles = Enumerable.Range(1, 21).Select(i => $"Menu card {i:D2}").Append("Wine list").Append("Wine pairings").ToList();
        foreach (var title in titles)
        {
            await Seed.DocumentAsync(tenant, title, $"{title}: what the guests asked about, written down for the phone agent.");
        }
        var ascending = titles.Order(StringComparer.OrdinalIgnoreCase).ToList();

        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, e2e.Server.BaseUrl, tenant.Key);
            await NavigateAsync(page, "Knowledge");
            var table = page.Locator("[data-table='document']");
            var shownTitles = table.Locator("tbody td[data-label='Title']");
            var pager = table.Locator(".pager");
            await Expect(shownTitles).ToHaveCountAsync(PageSize);
            await Expect(pager).ToContainTextAsync("1–20 of 23");

            var search = table.GetByRole(AriaRole.Searchbox);
            await search.FillAsync("wine");
            await Expect(shownTitles).ToHaveTextAsync(new[] { "Wine list", "Wine pairings" });
            await Expect(pager).ToContainTextAsync("1–2 of 2");
            await search.FillAsync("pairings");
            await Expect(shownTitles).ToHaveTextAsync(new[] { "Wine pairings" });
            await search.FillAsync("no such words");
            await Expect(table.Locator("tbody")).ToContainTextAsync("No row matches the search.");
            await search.FillAsync("");
            await Expect(pager).ToContainTextAsync("1–20 of 23");

            var header = table.Locator("th[data-sort='title']");
            await header.ClickAsync();
            await Expect(header).ToHaveAttributeAsync("aria-sort", "ascending");
            await Expect(shownTitles).ToHaveTextAsync(ascending.Take(PageSize).ToArray());
            await header.ClickAsync();
            await Expect(header).ToHaveAttributeAsync("aria-sort", "descending");
            await Expect(shownTitles).ToHaveTextAsync(Enumerable.Reverse(ascending).Take(PageSize).ToArray());

            // Back to ascending, then the next page holds the three rows the first did not.
            await header.ClickAsync();
            await Expect(shownTitles.First).ToHaveTextAsync(ascending[0]);
            await table.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
            await Expect(shownTitles).ToHaveTextAsync(ascending.Skip(PageSize).ToArray());
            await Expect(pager).ToContainTextAsync("21–23 of 23");
            await Expect(pager).ToContainTextAsync("page 2 / 2");
            await Expect(table.GetByRole(AriaRole.Button, new() { Name = "Next page" })).ToBeDisabledAsync();
            await table.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
            await Expect(shownTitles).ToHaveTextAsync(ascending.Take(PageSize).ToArray());
        });
    }
}
