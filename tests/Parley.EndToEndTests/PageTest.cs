using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Parley.EndToEndTests;

/// <summary>Runs a browser scenario; on failure saves a full-page screenshot into the test output.</summary>
public static class PageTest
{
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task RunAsync(IBrowser browser, int width, int height, Func<IPage, Task> scenario, [CallerMemberName] string name = "")
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        try
        {
            await scenario(page);
        }
        catch
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            var file = Path.Combine(ScreenshotDirectory, $"{name}-{width}x{height}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            Console.Error.WriteLine($"Screenshot of the failure: {file}");
            throw;
        }
    }
}
