using System.Net.Http.Json;
using System.Text.Json;
using Parley.Calls.CallLog;
using Parley.Domain;
using Parley.Testing;
using Parley.Transactional.Calls;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>The metrics page shows the platform admin the server's writers and the records the database refused.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class DeadLetterPageTests(EndToEndFixture e2e)
{
    [Fact]
    public async Task The_platform_admin_sees_the_writers_and_a_record_the_database_refused_on_the_metrics_page()
    {
        var tenant = await e2e.Seed.TenantAsync("Poisoned bistro");
        var agent = await Seed.AgentAsync(tenant, "Host");
        var call = await Seed.CallAsync(tenant, agent, "Where do I park?");
        // Planted as a provider bug would: a turn whose transcript holds a NUL, which PostgreSQL refuses in text.
        var poisoned = new CallTurn
        {
            AccountId = new AccountId(tenant.Id), Id = Guid.CreateVersion7(), CallId = call, Ordinal = 99, Transcript = "park\u0000ing", Answer = "Behind the building.",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        e2e.Server.Get<CallLogWriter>().Enqueue(poisoned, []);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await e2e.Seed.Admin.GetFromJsonAsync<JsonElement>("/v1/metrics/database")).GetProperty("deadLetters").GetProperty("recent").EnumerateArray()
            .Any(d => d.GetProperty("id").GetGuid() == poisoned.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the poisoned turn never reached the dead-letter table");
            await Task.Delay(200);
        }

        foreach (var (width, height) in new[] { (DesktopWidth, DesktopHeight), (PhoneWidth, PhoneHeight) })
        {
            await RunAsync(e2e.Browser, width, height, async page =>
            {
                await SignInAsync(page, e2e.Server.BaseUrl, ParleyAppFactory.AdminKey);
                await NavigateAsync(page, "Metrics");
                var card = page.Locator("#writers");
                await Expect(card.Locator("tbody tr").Filter(new() { HasText = "call_log" })).ToHaveCountAsync(1);
                await Expect(card.Locator("h3")).ToContainTextAsync("Dead letters (");
                await Expect(card.Locator("tbody tr").Filter(new() { HasText = poisoned.Id.ToString()[^8..] })).ToContainTextAsync("22021");
                await AssertNoHorizontalOverflowAsync(page, "metrics with dead letters");
                await ScreenshotAsync(page, $"metrics-dead-letters-{width}x{height}");
            });
        }

        // A tenant's own metrics page has no such card: dead letters span accounts.
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, e2e.Server.BaseUrl, tenant.Key);
            await NavigateAsync(page, "Metrics");
            await Expect(page.Locator("#writers")).ToHaveCountAsync(0);
        });
    }
}
