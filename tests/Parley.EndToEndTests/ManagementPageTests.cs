using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;
using static Parley.EndToEndTests.PageTest;

namespace Parley.EndToEndTests;

/// <summary>Accounts and the knowledge base's re-ingest and delete, through the page.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ManagementPageTests(EndToEndFixture e2e)
{
    private string Url => e2e.Server.BaseUrl;

    [Fact]
    public async Task An_admin_creates_an_account_sees_its_key_once_and_renames_it()
    {
        string? key = null;
        await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
        {
            await SignInAsync(page, Url, ParleyAppFactory.AdminKey);
            await LoadedAsync(page, "accounts");
            await page.GetByRole(AriaRole.Button, new() { Name = "New account" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await dialog.GetByLabel("Text-search language").FillAsync("klingon");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(dialog.Locator(".field-error[data-field='name']")).ToHaveTextAsync("name is required.");
            await Expect(dialog.Locator(".field-error[data-field='language']")).ToContainTextAsync("'klingon' is not a text search configuration");

            await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("Lighthouse Cafe");
            await dialog.GetByLabel("Text-search language").FillAsync("english");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            key = await page.Locator("pre[data-api-key]").InnerTextAsync();
            Assert.StartsWith("pk_", key, StringComparison.Ordinal);

            await page.Locator("table.data tbody tr", new() { HasText = "Lighthouse Cafe" }).ClickAsync();
            dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog.GetByLabel("Text-search language")).ToHaveAttributeAsync("readonly", "");
            await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("Lighthouse Café & Bar");
            await dialog.GetByLabel("Plan").SelectOptionAsync("growth");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            var row = page.Locator("table.data tbody tr", new() { HasText = "Lighthouse Café & Bar" });
            await Expect(row.Locator("td[data-label='Plan']")).ToHaveTextAsync("growth");
        }, [new("POST", "/v1/accounts", 400)]);
        // The key shown is the new account's own.
        var me = await e2e.Server.CreateClient(key).GetFromJsonAsync<JsonElement>("/v1/me");
        var account = await e2e.Seed.Admin.GetFromJsonAsync<JsonElement>($"/v1/accounts/{me.GetProperty("accountId").GetGuid()}");
        Assert.Equal("Lighthouse Café & Bar", account.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Re_ingesting_a_new_version_replaces_the_chunks_and_delete_removes_the_document()
    {
        var tenant = await e2e.Seed.TenantAsync("Re-ingester");
        var folder = Directory.CreateTempSubdirectory("parley-e2e-");
        var first = Path.Combine(folder.FullName, "specials.md");
        var second = Path.Combine(folder.FullName, "specials-v2.md");
        await File.WriteAllTextAsync(first, "# Specials\n\nThe Monday special is grilled sardines with fennel salad.\n");
        await File.WriteAllTextAsync(second, "# Specials\n\nThe Monday special is now a saffron fish stew with aioli.\n\n## Tuesday\n\nOn Tuesdays the chef serves a slow-roasted lamb shoulder for two.\n");
        try
        {
            await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
            {
                await SignInAsync(page, Url, tenant.Key);
                await NavigateAsync(page, "Knowledge");
                await page.Locator("input[type=file][name=file]").SetInputFilesAsync(first);
                await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
                var row = page.Locator("table.data tbody tr", new() { HasText = "Specials" });
                await Expect(row.Locator("td[data-label='Chunks']")).ToHaveTextAsync("1");

                var chooser = await page.RunAndWaitForFileChooserAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Re-ingest" }).ClickAsync());
                await chooser.SetFilesAsync(second);
                await Expect(page.Locator(".upload-log li").First).ToContainTextAsync("specials-v2.md: replaced");
                await Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(1);
                await Expect(row.Locator("td[data-label='Chunks']")).ToHaveTextAsync("2");
                await Expect(page.Locator("[role=status]").First).ToHaveTextAsync("1 document · 2 chunks");
            });
            var hits = await SearchAsync(tenant, "monday special");
            Assert.Contains("saffron fish stew", hits, StringComparison.Ordinal);
            Assert.DoesNotContain("sardines", hits, StringComparison.Ordinal);

            await RunAsync(e2e.Browser, DesktopWidth, DesktopHeight, async page =>
            {
                await SignInAsync(page, Url, tenant.Key);
                await NavigateAsync(page, "Knowledge");
                var delete = page.Locator("table.data tbody tr", new() { HasText = "Specials" }).GetByRole(AriaRole.Button, new() { Name = "Delete" });
                await delete.ClickAsync();
                // One click arms the button, the second deletes.
                await page.GetByRole(AriaRole.Button, new() { Name = "Sure?" }).ClickAsync();
                await Expect(page.Locator("table.data tbody")).ToContainTextAsync("No documents yet");
            });
            var list = await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
            Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<string> SearchAsync(Seed.Tenant tenant, string query)
    {
        var response = await tenant.Client.PostAsJsonAsync("/v1/knowledge/search", new { query, topK = 5 });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
