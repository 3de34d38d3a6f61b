using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.IntegrationTests.Transactional;
using Parley.Testing;
using Parley.Transactional.ApiKeys;
using Xunit;
using Xunit.Abstractions;

namespace Parley.IntegrationTests.Authority;

/// <summary>The in-process server and a second one as a child process, on one database.</summary>
public sealed class TwoServersFixture : ApiFixture
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-keys-").FullName;

    public ServerProcess Second { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var dll = ServerProcess.FindServerDll() ?? throw new InvalidOperationException("Parley.Server.dll not found beside the tests");
        Second = await ServerProcess.StartAsync(dll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Parley"] = ConnectionString,
            ["Parley__AdminKey"] = ParleyAppFactory.AdminKey,
            ["PARLEY_HOME"] = _home,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Parley__Database__Migrate"] = "false",
            ["Parley__Monitor__Enabled"] = "false",
        }, TimeSpan.FromSeconds(90), CancellationToken.None);
    }

    public HttpClient SecondClient(string key)
    {
        var http = new HttpClient { BaseAddress = Second.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public override async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}

public sealed class KeyRevocationTests(TwoServersFixture api, ITestOutputHelper output) : IClassFixture<TwoServersFixture>
{
    /// <summary>A key minted on one server is known on the other once the insert's notification lands there.</summary>
    private static async Task UntilAcceptedAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await client.GetAsync("/v1/agents")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "a key minted on one server was never accepted by the other");
            await Task.Delay(20);
        }
    }

    private static async Task<TimeSpan> UntilRefusedAsync(HttpClient client, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while ((await client.GetAsync("/v1/agents")).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < deadline, $"the revoked key still worked after {clock.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(20);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task A_key_revoked_on_one_server_is_refused_by_the_other_as_the_notification_arrives()
    {
        var tenant = await api.NewTenantAsync("Revoked");
        var created = await (await tenant.Client.PostAsJsonAsync("/v1/api-keys", new { name = "short-lived" })).Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("apiKey").GetProperty("id").GetGuid();
        using var second = api.SecondClient(key);
        // Used twice on the second server: from then on it answers from its cache, with no TTL to run out.
        await UntilAcceptedAsync(second);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/v1/agents")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        var took = await UntilRefusedAsync(second, TimeSpan.FromSeconds(5));
        output.WriteLine($"refused by the second server {took.TotalMilliseconds:F0} ms after the revocation answered");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(key).GetAsync("/v1/agents")).StatusCode);
    }

    [Fact]
    public async Task A_key_revoked_by_hand_in_the_database_is_refused_by_both_servers()
    {
        var tenant = await api.NewTenantAsync("ByHand");
        using var second = api.SecondClient(tenant.Key);
        var first = api.Client(tenant.Key);
        await UntilAcceptedAsync(second);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/agents")).StatusCode);

        await using (var su = api.CreateSuperuserDataSource())
        await using (var cmd = su.CreateCommand("UPDATE api_keys SET revoked_at = now() WHERE account_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        output.WriteLine($"second server: {(await UntilRefusedAsync(second, TimeSpan.FromSeconds(5))).TotalMilliseconds:F0} ms");
        output.WriteLine($"in-process server: {(await UntilRefusedAsync(first, TimeSpan.FromSeconds(5))).TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Made_up_keys_are_refused_without_a_database_lookup_and_a_wrong_secret_costs_one()
    {
        var tenant = await api.NewTenantAsync("Flooded");
        var keys = api.App.Services.GetRequiredService<ApiKeyAuthenticator>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!keys.Listening)
        {
            Assert.True(DateTime.UtcNow < deadline, "the key listener never connected");
            await Task.Delay(50);
        }
        // A key minted on the other server is known here by its prefix as soon as its notification lands.
        using var admin = api.SecondClient(ParleyAppFactory.AdminKey);
        var made = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Elsewhere" })).Content.ReadFromJsonAsync<JsonElement>();
        var elsewhere = api.Client(made.GetProperty("apiKey").GetString());
        var until = DateTime.UtcNow.AddSeconds(5);
        while ((await elsewhere.GetAsync("/v1/agents")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < until, "a key minted on the other server was never accepted here");
            await Task.Delay(20);
        }

        var before = keys.Lookups;
        for (var i = 0; i < 200; i++)
        {
            var random = $"pk_{Random.Shared.Next():x8}_{Guid.NewGuid():N}{Guid.NewGuid():N}";
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(random).GetAsync("/v1/agents")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client("not a key at all").GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(before, keys.Lookups);

        // The tenant's real prefix with a wrong secret: looked up once, then refused from the cache.
        var prefix = tenant.Key[..tenant.Key.IndexOf('_', 3)];
        var wrong = api.Client($"{prefix}_{new string('0', 48)}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(before + 1, keys.Lookups);
    }
}
