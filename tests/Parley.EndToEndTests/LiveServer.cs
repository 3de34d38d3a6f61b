using Microsoft.Extensions.DependencyInjection;
using Parley.LocalPostgres;
using Parley.Testing;

namespace Parley.EndToEndTests;

/// <summary>The real Parley server on Kestrel, on a free loopback port, over a cloned test database.</summary>
public sealed class LiveServer : IAsyncDisposable
{
    private readonly ParleyAppFactory _factory;

    private LiveServer(ParleyAppFactory factory, string baseUrl, string superuserConnectionString)
    {
        _factory = factory;
        BaseUrl = baseUrl;
        SuperuserConnectionString = superuserConnectionString;
    }

    public string BaseUrl { get; }

    /// <summary>A superuser connection string to the server's database, for fault injection and seed data a test says it plants.</summary>
    public string SuperuserConnectionString { get; }
    public IServiceProvider Services => _factory.Services;

    public static async Task<LiveServer> StartAsync(string hint, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var server = await TestPostgres.GetAsync();
        var cs = await server.CreateDatabaseAsync(hint);
        var port = LocalCluster.FreePort();
        var factory = new ParleyAppFactory(cs, settings, services);
        factory.UseKestrel(port);
        factory.StartServer();
        return new LiveServer(factory, $"http://127.0.0.1:{port}", server.Superuser(cs));
    }

    public HttpClient CreateClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }
        return client;
    }

    public T Get<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
