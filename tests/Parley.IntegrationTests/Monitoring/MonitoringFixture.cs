using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Parley.Monitoring.Records;
using Parley.Testing;

namespace Parley.IntegrationTests.Monitoring;

/// <summary>
/// A server on a cloned database whose latency monitor only runs when a test calls it, posting alerts
/// to a real webhook receiver on loopback (Kestrel) that answers 503 to its first post, so retries are
/// exercised, and records every post.
/// </summary>
public sealed class MonitoringFixture : DatabaseFixture
{
    public const string WebhookSecret = "whsec-test-0123456789";

    public ParleyAppFactory App { get; private set; } = null!;
    public LoopbackServer Webhook { get; private set; } = null!;
    public ConcurrentQueue<(byte[] Body, string? Signature, int Status)> Posts { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var received = 0;
        Webhook = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var status = Interlocked.Increment(ref received) == 1 ? 503 : 200;
            Posts.Enqueue((buffer.ToArray(), request.Headers["X-Parley-Signature"].ToString(), status));
            return Results.StatusCode(status);
        }));
        App = new ParleyAppFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Monitor:Enabled"] = "false",
            ["Parley:Monitor:ThresholdMs"] = "200",
            ["Parley:Monitor:MinSearches"] = "5",
            ["Parley:Monitor:Window"] = "15m",
            ["Parley:Monitor:WebhookUrl"] = new Uri(Webhook.BaseUrl, "hook").ToString(),
            ["Parley:Monitor:WebhookSecret"] = WebhookSecret,
            ["Parley:Monitor:WebhookRetries"] = "3",
        });
        _ = App.Server;
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Webhook.DisposeAsync();
        await base.DisposeAsync();
    }

    public HttpClient Client(string? key, Guid? actAs = null)
    {
        var client = App.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (actAs is { } account)
        {
            client.DefaultRequestHeaders.Add("X-Parley-Account", account.ToString());
        }
        return client;
    }

    public HttpClient Admin => Client(ParleyAppFactory.AdminKey);

    public async Task<(Guid Id, HttpClient Client)> NewTenantAsync(string name)
    {
        var response = await Admin.PostAsJsonAsync("/v1/accounts", new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("account").GetProperty("id").GetGuid(), Client(body.GetProperty("apiKey").GetString()));
    }

    public Task FlushRecordsAsync() => App.Services.GetRequiredService<SearchRecorder>().FlushAsync(CancellationToken.None);
}
