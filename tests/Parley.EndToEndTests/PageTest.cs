using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Parley.EndToEndTests;

/// <summary>
/// Runs a browser scenario in a fresh context; on failure saves a full-page screenshot into the test
/// output (bin/…/screenshots). A script error, a console error, a request that fails or a response of 400 or
/// more fails the scenario too, unless the scenario names it in its expected failures.
/// </summary>
public static partial class PageTest
{
    public const int DesktopWidth = 1280, DesktopHeight = 800, PhoneWidth = 375, PhoneHeight = 740;

    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task RunAsync(IBrowser browser, int width, int height, Func<IPage, Task> scenario,
        IReadOnlyCollection<ExpectedFailure>? expected = null, [CallerMemberName] string name = "")
    {
        expected ??= [];
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        // Playwright raises these on its own connection loop, beside the scenario.
        var errors = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<ExpectedFailure, bool>();
        page.PageError += (_, e) => errors.Enqueue($"page error: {e}");
        page.Console += (_, m) =>
        {
            if (m.Type != "error")
            {
                return;
            }
            // Chromium's own line for a failed load names the resource in its location and the status in its text.
            var failed = FailedLoad().Match(m.Text);
            if (failed.Success && ResourcePath(m.Location) is { } path && int.TryParse(failed.Groups[1].ValueSpan, out var status)
                && expected.Any(x => x.Matches("", path, status)))
            {
                return;
            }
            errors.Enqueue($"console: {m.Text} (at {m.Location})");
        };
        page.Response += (_, r) =>
        {
            if (r.Status < 400)
            {
                return;
            }
            var path = new Uri(r.Url).AbsolutePath;
            var match = expected.FirstOrDefault(x => x.Matches(r.Request.Method, path, r.Status));
            if (match is null)
            {
                errors.Enqueue($"response: {r.Request.Method} {path} → {r.Status}");
            }
            else
            {
                seen[match] = true;
            }
        };
        page.RequestFailed += (_, r) => errors.Enqueue($"request failed: {r.Method} {r.Url}: {r.Failure}");
        try
        {
            await scenario(page);
            var missing = expected.Where(x => !seen.ContainsKey(x)).Select(x => $"expected but never seen: {x}");
            var all = errors.Concat(missing).ToList();
            Assert.True(all.Count == 0, string.Join("\n", all));
        }
        catch
        {
            await ScreenshotAsync(page, $"{name}-{width}x{height}-FAILED");
            throw;
        }
    }

    [GeneratedRegex(@"^Failed to load resource: the server responded with a status of (\d{3})", RegexOptions.CultureInvariant)]
    private static partial Regex FailedLoad();

    // A console location is "url:line:column".
    private static string? ResourcePath(string location) =>
        Uri.TryCreate(LineAndColumn().Replace(location, ""), UriKind.Absolute, out var uri) ? uri.AbsolutePath : null;

    [GeneratedRegex(@"(:\d+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex LineAndColumn();

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
