using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Xunit;

namespace Parley.EndToEndTests;

/// <summary>
/// Runs a browser scenario in a fresh context; on failure saves a full-page screenshot into the test
/// output (bin/…/screenshots). A script error or a failed request to the server fails the scenario too.
/// </summary>
public static class PageTest
{
    public const int DesktopWidth = 1280, DesktopHeight = 800, PhoneWidth = 375, PhoneHeight = 740;

    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task RunAsync(IBrowser browser, int width, int height, Func<IPage, Task> scenario, [CallerMemberName] string name = "")
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add($"page error: {e}");
        page.Console += (_, m) =>
        {
            // The browser logs every non-2xx fetch; the tests that expect one (a 400 with field errors, a 404) say so themselves.
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add($"console: {m.Text}");
            }
        };
        try
        {
            await scenario(page);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        catch
        {
            await ScreenshotAsync(page, $"{name}-{width}x{height}-FAILED");
            throw;
        }
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var file = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Console.Error.WriteLine($"Screenshot: {file}");
        return file;
    }

    public static async Task SignInAsync(IPage page, string baseUrl, string key)
    {
        await page.GotoAsync($"{baseUrl}/admin/");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("#who").WaitForAsync();
    }

    /// <summary>Goes to a section through the navigation, opening the phone menu first when it is folded.</summary>
    public static async Task NavigateAsync(IPage page, string section)
    {
        var toggle = page.Locator("#menu-toggle");
        if (await toggle.IsVisibleAsync())
        {
            await toggle.ClickAsync();
        }
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = section, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#nav a.active")).ToHaveTextAsync(section);
        await LoadedAsync(page, section.ToLowerInvariant());
    }

    /// <summary>Waits until the page named is on screen and has finished loading (the shell's data-page and aria-busy).</summary>
    public static Task LoadedAsync(IPage page, string name) =>
        Assertions.Expect(page.Locator($"main[data-page='{name}'][aria-busy='false']")).ToHaveCountAsync(1);

    /// <summary>The body is no wider than the viewport: nothing pushes the page sideways.</summary>
    public static async Task AssertNoHorizontalOverflowAsync(IPage page, string where)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{where}: the page is {widths[0]} px wide in a {widths[1]} px viewport.");
    }
}
