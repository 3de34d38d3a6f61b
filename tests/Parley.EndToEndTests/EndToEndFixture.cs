using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Parley.EndToEndTests;

/// <summary>One Chromium and one live Parley server (real PostgreSQL + pgvector) shared by the browser tests.</summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();

    public LiveServer Server { get; private set; } = null!;
    public Microsoft.Playwright.IBrowser Browser => _browser.Browser;
    public Seed Seed { get; private set; } = null!;
    public MetricsDouble Metrics { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await LiveServer.StartAsync("e2e", services: s => s.AddSingleton<IStartupFilter>(Metrics));
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
