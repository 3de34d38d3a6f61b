using Xunit;

namespace Parley.EndToEndTests;

/// <summary>One Chromium and one live Parley server (real PostgreSQL + pgvector) shared by the browser tests.</summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();

    public LiveServer Server { get; private set; } = null!;
    public Microsoft.Playwright.IBrowser Browser => _browser.Browser;
    public Seed Seed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The latency monitor checks only when a test asks it to (LatencyMonitorService.CheckOnceAsync), so a
        // periodic check can neither hold the monitor's lock at that moment nor raise an alert a test did not expect.
        Server = await LiveServer.StartAsync("e2e", new Dictionary<string, string?> { ["Parley:Monitor:Enabled"] = "false" });
        Seed = new Seed(Server);
        await _browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "browser";
}
