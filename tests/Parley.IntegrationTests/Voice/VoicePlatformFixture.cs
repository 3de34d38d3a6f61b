using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Parley.Testing;

namespace Parley.IntegrationTests.Voice;

/// <summary>
/// The real server on a real loopback port (Kestrel, not the in-memory test server): the voice
/// platforms' clients under test (the <c>openai</c> npm package run by node) reach it over TCP.
/// </summary>
public sealed class VoicePlatformFixture : DatabaseFixture
{
    public ParleyAppFactory App { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Calls:SearchBudgetMs"] = "3000",
            ["Parley:Calls:LlmBudgetMs"] = "3000",
            ["Parley:Calls:TurnBudgetMs"] = "10000",
            // Streamed turns assert on the audio of each sentence: espeak-ng on two busy cores can take longer than 100 ms.
            ["Parley:Calls:TtsBudgetMs"] = "5000",
            ["Parley:Calls:EmbedBudgetMs"] = "3000",
        });
        var port = FreePort();
        App.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        App.StartServer();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public async Task<(Guid Id, string Key, HttpClient Client)> NewTenantAsync(string name = "Tenant")
    {
        using var admin = Client(ParleyAppFactory.AdminKey);
        var response = await admin.PostAsJsonAsync("/v1/accounts", new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("apiKey").GetString()!;
        return (body.GetProperty("account").GetProperty("id").GetGuid(), key, Client(key));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
