using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>The admin page in Debian's Chromium against the live server: the journeys of issue 8.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AdminPageTests(EndToEndFixture e2e)
{
    private string Url => e2e.Server.BaseUrl;

    [Fact]
    public async Task An_admin_signs_in_acts_as_an_account_and_creates_an_agent_seeing_the_api_validation_message()
    {
        var tenant = await e2e.Seed.TenantAsync("Harbor Lights Bistro");
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, Url, ParleyAppFactory.AdminKey);
            await Expect(page.Locator("#who-label")).ToHaveTextAsync("platform admin");
            var row = page.Locator($"tr[data-id='{tenant.Id}']");
            await Expect(row).ToContainTextAsync("Harbor Lights Bistro");
            await row.GetByRole(AriaRole.Button, new() { Name = "Act as" }).ClickAsync();
            await Expect(page.Locator("#nav a.active")).ToHaveTextAsync("Agents");
            await Expect(page.Locator("#account-select")).ToHaveValueAsync(tenant.Id.ToString());

            await page.GetByRole(AriaRole.Button, new() { Name = "New agent" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await dialog.GetByLabel("Top-k passages").FillAsync("99");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            // The server's own messages, under the fields they name.
            await Expect(dialog.Locator(".field-error[data-field='name']")).ToHaveTextAsync("name is required.");
            await Expect(dialog.Locator(".field-error[data-field='topK']")).ToHaveTextAsync("topK must be between 1 and 20.");

            await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("Evening host");
            await dialog.GetByLabel("Top-k passages").FillAsync("4");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(dialog).ToHaveCountAsync(0);
            await Expect(page.Locator("table.data tbody")).ToContainTextAsync("Evening host");
        }, [new("POST", "/v1/agents", 400)]);
        var agents = await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/agents");
        var agent = Assert.Single(agents.GetProperty("items").EnumerateArray());
        Assert.Equal("Evening host", agent.GetProperty("name").GetString());
        Assert.Equal(4, agent.GetProperty("topK").GetInt32());
    }

    [Fact]
    public async Task An_account_key_sees_its_own_account_only()
    {
        var mine = await e2e.Seed.TenantAsync("Mine");
        var theirs = await e2e.Seed.TenantAsync("Theirs");
        await Seed.AgentAsync(mine, "My receptionist");
        await Seed.AgentAsync(theirs, "Their receptionist");
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, Url, mine.Key);
            await Expect(page.Locator("#who-label")).ToHaveTextAsync("account: Mine");
            await Expect(page.Locator("#nav a[href='#/accounts']")).ToBeHiddenAsync();
            await Expect(page.Locator("table.data tbody")).ToContainTextAsync("My receptionist");
            await Expect(page.Locator("table.data tbody")).Not.ToContainTextAsync("Their receptionist");
            // Typing the admin-only address lands on the account's own agents.
            await page.GotoAsync($"{Url}/admin/#/accounts");
            await Expect(page.Locator("#nav a.active")).ToHaveTextAsync("Agents");
        });
    }

    [Fact]
    public async Task An_uploaded_document_is_found_by_the_search_playground_with_its_score_and_plan()
    {
        var tenant = await e2e.Seed.TenantAsync("Uploader");
        var file = Path.Combine(Path.GetTempPath(), $"parley-e2e-{Guid.NewGuid():N}.md");
        await File.WriteAllTextAsync(file, "# Boat moorings\n\nGuests arriving by sea may tie up at the visitor pontoon beside the lighthouse; mooring is free for diners until midnight.\n");
        try
        {
            await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
            {
                await SignInAsync(page, Url, tenant.Key);
                await NavigateAsync(page, "Knowledge");
                await page.Locator("input[type=file][name=file]").SetInputFilesAsync(file);
                await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
                await Expect(page.Locator(".upload-log")).ToContainTextAsync("created, 1 chunks");
                var row = page.Locator("table.data tbody tr", new() { HasText = "Boat moorings" });
                await Expect(row.Locator("td[data-label='Chunks']")).ToHaveTextAsync("1");

                await NavigateAsync(page, "Search");
                await page.GetByLabel("Query").FillAsync("where can I moor my boat");
                await page.GetByLabel("Mode").SelectOptionAsync("hybrid");
                await page.GetByLabel("Top-k").FillAsync("3");
                await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
                var first = page.Locator(".result").First;
                await Expect(first).ToContainTextAsync("visitor pontoon beside the lighthouse");
                await Expect(first.Locator("mark").First).ToHaveTextAsync("boat", new() { IgnoreCase = true });
                var score = double.Parse(await first.Locator(".similarity").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(score, 0.2, 1.0);
                await Expect(page.Locator("#strategy")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^hybrid-"));
                await Expect(page.Locator("#plan")).ToContainTextAsync("Execution Time");
                await Expect(page.Locator("#plan")).ToContainTextAsync("Buffers:");
                await Expect(page.Locator("#timings")).ToContainTextAsync("total");
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_call_page_shows_each_turn_with_its_sources_and_a_waterfall_against_the_budgets()
    {
        var tenant = await e2e.Seed.TenantAsync("Caller");
        var agent = await Seed.AgentAsync(tenant, "Host");
        await Seed.DocumentAsync(tenant, "Parking", "Free parking is available behind the restaurant after six in the evening.");
        var call = await Seed.CallAsync(tenant, agent, "Is there parking?", "And is it free?");
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, Url, tenant.Key);
            await NavigateAsync(page, "Calls");
            await page.Locator($"tr[data-id='{call}']").ClickAsync();
            await Expect(page.Locator("h1")).ToHaveTextAsync($"Call {call.ToString()[^8..]}");
            var turns = page.Locator("article.turn");
            await Expect(turns).ToHaveCountAsync(2);
            var first = turns.First;
            await Expect(first.Locator(".bubble.caller")).ToContainTextAsync("Is there parking?");
            await Expect(first.Locator(".bubble.agent")).ToContainTextAsync("parking");
            await Expect(first.Locator(".source")).ToContainTextAsync("Parking");
            foreach (var stage in new[] { "asr", "rewrite", "embed", "search", "llm", "tts", "total" })
            {
                await Expect(first.Locator($".wf-row[data-stage='{stage}'] .wf-bar")).ToHaveCountAsync(1);
            }
            // The budgets drawn are the server's (GET /v1/config), not numbers baked into the page.
            await Expect(first.Locator(".wf-row[data-stage='search'] .wf-label")).ToContainTextAsync("/ 100");
            await Expect(first.Locator(".wf-row[data-stage='llm'] .wf-label")).ToContainTextAsync("/ 300");
            await Expect(first.Locator(".wf-row[data-stage='total'] .wf-label")).ToContainTextAsync("/ 500");
            await Expect(first.Locator(".wf-budget")).ToHaveCountAsync(4);
            // The follow-up shows what it was searched as and which rewrite made it, beside its rewrite step.
            var second = turns.Nth(1);
            await Expect(second.Locator(".standalone")).ToContainTextAsync("parking");
            await Expect(second.Locator(".standalone .rewrite-by[data-rewrite='local']")).ToContainTextAsync("local rule");
            await Expect(second.Locator(".wf-row[data-stage='rewrite'] .wf-bar")).ToHaveCountAsync(1);
        });
    }

    [Fact]
    public async Task Try_a_call_starts_a_call_takes_a_turn_and_adds_another_from_the_call_page()
    {
        var tenant = await e2e.Seed.TenantAsync("Trial");
        await Seed.AgentAsync(tenant, "Trial host");
        await Seed.DocumentAsync(tenant, "Brunch", "Brunch is served on Saturdays and Sundays from ten until three.");
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, Url, tenant.Key);
            await NavigateAsync(page, "Calls");
            await page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
            await Expect(page.Locator(".field-error[data-field='transcript']")).ToHaveTextAsync("transcript is required.");
            await page.GetByLabel("Caller says").FillAsync("When is brunch?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
            await LoadedAsync(page, "calls-item");
            await Expect(page.Locator("article.turn")).ToHaveCountAsync(1);
            await Expect(page.Locator("article.turn .source")).ToContainTextAsync("Brunch");
            // The knowledge version the turn was answered from: the tenant's one upload made it 1.
            await Expect(page.Locator("article.turn .badge.kv")).ToHaveTextAsync("knowledge v1");

            await page.GetByLabel("Caller says").FillAsync("And on Sunday?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send turn" }).ClickAsync();
            await Expect(page.Locator("article.turn")).ToHaveCountAsync(2);
            await Expect(page.Locator("article.turn").Nth(1).Locator(".bubble.caller")).ToContainTextAsync("And on Sunday?");
            await page.GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync();
            await Expect(page.Locator("main p.muted").First).ToContainTextAsync("ended");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send turn" })).ToHaveCountAsync(0);
        }, [new("POST", "/v1/calls/[0-9a-f-]{36}/turns", 400)]);
        // The call refused for its empty first turn was ended, not left open.
        var calls = await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/calls?status=active");
        Assert.Equal(0, calls.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task At_phone_width_the_menu_and_the_search_playground_work_without_sideways_scrolling()
    {
        var tenant = await e2e.Seed.TenantAsync("Phone");
        await Seed.AgentAsync(tenant, "Pocket agent");
        await Seed.DocumentAsync(tenant, "Dogs", "Well-behaved dogs are welcome on the terrace, and we keep water bowls by the door.");
        await RunAsync(e2e.Browser, PhoneWidth, PhoneHeight, async page =>
        {
            await SignInAsync(page, Url, tenant.Key);
            await Expect(page.Locator("#nav")).ToBeHiddenAsync();
            await AssertNoHorizontalOverflowAsync(page, "agents");
            await NavigateAsync(page, "Search");
            await Expect(page.Locator("#nav")).ToBeHiddenAsync();
            await page.GetByLabel("Query").FillAsync("can I bring my dog");
            await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
            await Expect(page.Locator(".result").First).ToContainTextAsync("terrace");
            await Expect(page.Locator("#plan")).ToContainTextAsync("Execution Time");
            await AssertNoHorizontalOverflowAsync(page, "search results");
            foreach (var section in new[] { "Knowledge", "Calls", "Contacts", "Integrations", "Metrics", "Agents" })
            {
                await NavigateAsync(page, section);
                await AssertNoHorizontalOverflowAsync(page, section);
            }
            // The agents table folds into cards: each value carries its column's label.
            await Expect(page.Locator("table.data thead")).ToBeHiddenAsync();
            await Expect(page.Locator("td[data-label='Name']").First).ToHaveTextAsync("Pocket agent");
        });
    }
}
