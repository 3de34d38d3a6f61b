using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>
/// Every page, with realistic data, at 1280×800 and at 375 px: no script error, no sideways scrolling,
/// and a screenshot of each kept in bin/…/screenshots for a person to look at.
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

        await RunAsync(e2e.Browser, width, height, async page =>
        {
            var tag = width == DesktopWidth ? "desktop" : "phone";
            await page.GotoAsync($"{e2e.Server.BaseUrl}/admin");
            await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
            await ScreenshotAsync(page, $"{tag}-00-sign-in");
            await SignInAsync(page, e2e.Server.BaseUrl, ParleyAppFactory.AdminKey);
            await LoadedAsync(page, "accounts");
            await ScreenshotAsync(page, $"{tag}-01-accounts");
            await page.Locator("#account-select").SelectOptionAsync(tenant.Id.ToString());
            await LoadedAsync(page, "accounts");

            var sections = new[] { ("Agents", "02-agents"), ("Contacts", "03-contacts"), ("Integrations", "04-integrations"), ("Calls", "05-calls"), ("Knowledge", "07-knowledge"), ("Metrics", "09-metrics") };
            foreach (var (section, shot) in sections)
            {
                await NavigateAsync(page, section);
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
            await AssertNoHorizontalOverflowAsync(page, "call");
            await ScreenshotAsync(page, $"{tag}-06-call");

            await NavigateAsync(page, "Search");
            await page.GetByLabel("Query").FillAsync("Is there parking near the restaurant?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
            await Expect(page.Locator("#plan")).ToContainTextAsync("Execution Time");
            await AssertNoHorizontalOverflowAsync(page, "search");
            await ScreenshotAsync(page, $"{tag}-08-search");
        });
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
