using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>
/// Every page, with realistic data, at 1280×800 and at 375 px: no script error or failed request, the seeded
/// data on each page, no sideways scrolling, and a screenshot of each kept in bin/…/screenshots for a person to look at.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PageTourTests(EndToEndFixture e2e)
{
    [Theory]
    [InlineData(DesktopWidth, DesktopHeight)]
    [InlineData(PhoneWidth, PhoneHeight)]
    public async Task Every_page_renders_without_script_errors_or_sideways_scrolling(int width, int height)
    {
        var tenant = await e2e.Seed.TenantAsync($"Harbor Lights {width}");
        var agent = await Seed.AgentAsync(tenant, "Harbor host");
        await Seed.AgentAsync(tenant, "Night line");
        foreach (var file in Directory.GetFiles(Seed.DemoFolder, "*.md").Order().Take(8))
        {
            await Seed.FileAsync(tenant, file);
        }
        using (var contact = await tenant.Client.PostAsync("/v1/contacts", Json("""{"phone":"+15550100","name":"Ada Lovelace","metadata":{"vip":true}}"""))) { contact.EnsureSuccessStatusCode(); }
        using (var hook = await tenant.Client.PostAsync("/v1/integrations", Json("""{"kind":"webhook","name":"Alerts to Slack","settings":{"url":"https://hooks.example.invalid/parley"},"secrets":{"token":"x"}}"""))) { hook.EnsureSuccessStatusCode(); }
        var call = await Seed.CallAsync(tenant, agent, "Is there parking near the restaurant?", "What time do you open on Sunday?");
        // Search records are written in batches, apart from the call log: wait for both turns' searches before the
        // metrics page counts them, or the page could read the table before the writer has flushed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/metrics/rag?window=15m")).GetProperty("totalSearches").GetInt64() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two turns' search records were not written within 30 s");
            await Task.Delay(100);
        }

        await RunAsync(e2e.Browser, width, height, async page =>
        {
            var tag = width == DesktopWidth ? "desktop" : "phone";
            await page.GotoAsync($"{e2e.Server.BaseUrl}/admin");
            await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
            await ScreenshotAsync(page, $"{tag}-00-sign-in");
            await SignInAsync(page, e2e.Server.BaseUrl, ParleyAppFactory.AdminKey);
            await LoadedAsync(page, "accounts");
            // Each page shows something only a working page can: the seeded rows, not just a frame that loaded.
            await Expect(page.Locator($"tr[data-id='{tenant.Id}']")).ToContainTextAsync(tenant.Name);
            await ScreenshotAsync(page, $"{tag}-01-accounts");
            await page.Locator("#account-select").SelectOptionAsync(tenant.Id.ToString());
            await LoadedAsync(page, "accounts");

            var sections = new (string Section, string Shot, Func<Task> Shows)[]
            {
                ("Agents", "02-agents", async () =>
                {
                    await Expect(page.Locator($"tr[data-id='{agent}'] td[data-label='Name']")).ToHaveTextAsync("Harbor host");
                    await Expect(page.Locator("table.data tbody tr", new() { HasText = "Night line" })).ToHaveCountAsync(1);
                }),
                ("Contacts", "03-contacts", () => Expect(page.Locator("table.data tbody tr", new() { HasText = "Ada Lovelace" })).ToContainTextAsync("+15550100")),
                ("Integrations", "04-integrations", () => Expect(page.Locator("table.data tbody tr", new() { HasText = "Alerts to Slack" })).ToContainTextAsync("webhook")),
                ("Calls", "05-calls", () => Expect(page.Locator($"tr[data-id='{call}'] td[data-label='Agent']")).ToHaveTextAsync("Harbor host")),
                ("Knowledge", "07-knowledge", async () =>
                {
                    await Expect(page.Locator("table.data tbody td[data-label='Title']", new() { HasTextString = "Location and parking" })).ToHaveCountAsync(1);
                    await Expect(page.Locator("[data-table='document'] [role=status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^8 documents · [1-9]\d* chunks$"));
                }),
                // The two turns searched the knowledge base: the account's search count says so.
                ("Metrics", "09-metrics", () => Expect(page.Locator("#rag-summary .stat", new() { HasTextString = "searches" }).Locator("strong")).ToHaveTextAsync("2")),
            };
            foreach (var (section, shot, shows) in sections)
            {
                await NavigateAsync(page, section);
                await shows();
                await AssertNoHorizontalOverflowAsync(page, section);
                await ScreenshotAsync(page, $"{tag}-{shot}");
            }

            await NavigateAsync(page, "Agents");
            await page.Locator("table.data tbody tr").First.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
            await ScreenshotAsync(page, $"{tag}-02b-agent-form");
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

            await page.GotoAsync($"{e2e.Server.BaseUrl}/admin/#/calls/{call}");
            await LoadedAsync(page, "calls-item");
            await Expect(page.Locator("article.turn")).ToHaveCountAsync(2);
            await Expect(page.Locator("article.turn").First.Locator(".bubble.caller")).ToContainTextAsync("Is there parking near the restaurant?");
            await Expect(page.Locator("h1")).ToHaveTextAsync($"Call {call.ToString()[^8..]}");
            await AssertNoHorizontalOverflowAsync(page, "call");
            await ScreenshotAsync(page, $"{tag}-06-call");

            await NavigateAsync(page, "Search");
            await page.GetByLabel("Query").FillAsync("Is there parking near the restaurant?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
            await Expect(page.Locator(".result").First.Locator(".title")).ToHaveTextAsync("Location and parking");
            await Expect(page.Locator("#plan")).ToContainTextAsync("Execution Time");
            await AssertNoHorizontalOverflowAsync(page, "search");
            await ScreenshotAsync(page, $"{tag}-08-search");
        });
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
