using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Parley.IntegrationTests.Transactional;
using Parley.Server.Auth;
using Xunit;

namespace Parley.IntegrationTests.Authority;

public sealed class ApiKeyScopeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<(Guid Id, string Key)> MintAsync(HttpClient by, object body)
    {
        var response = await by.PostAsJsonAsync("/v1/api-keys", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("apiKey").GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    private static async Task AssertMissingScopeAsync(HttpResponseMessage response, string scope)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(scope, problem.GetProperty("missingScope").GetString());
        Assert.Contains($"'{scope}'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_key_is_refused_with_a_403_naming_the_scope_it_lacks_and_a_key_made_without_scopes_keeps_full_rights()
    {
        var tenant = await api.NewTenantAsync("Scoped");
        var (_, readerKey) = await MintAsync(tenant.Client, new { name = "reader", scopes = new[] { "knowledge:read" } });
        var reader = api.Client(readerKey);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/knowledge/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsJsonAsync("/v1/knowledge/search", new { query = "opening hours" })).StatusCode);
        await AssertMissingScopeAsync(await reader.PostAsJsonAsync("/v1/knowledge/documents", new { title = "T", text = "Some text." }), "knowledge:write");
        await AssertMissingScopeAsync(await reader.GetAsync("/v1/agents"), "agents");
        await AssertMissingScopeAsync(await reader.PostAsJsonAsync("/v1/calls", new { agentId = Guid.NewGuid() }), "calls");
        await AssertMissingScopeAsync(await reader.GetAsync("/v1/metrics/rag"), "metrics");
        await AssertMissingScopeAsync(await reader.GetAsync("/v1/api-keys"), "keys");
        await AssertMissingScopeAsync(await reader.GetAsync("/v1/invoices"), "billing");
        await AssertMissingScopeAsync(await reader.GetAsync("/v1/openai/models"), "calls");
        // Whom the key speaks for needs no scope: a client learns what it may do.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/me")).StatusCode);

        // The account's first key (made without scopes) and a key minted with none: every right, as before scopes.
        var (_, plainKey) = await MintAsync(tenant.Client, new { name = "plain" });
        foreach (var (client, n) in new[] { tenant.Client, api.Client(plainKey) }.Select((c, n) => (c, n)))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/agents")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/metrics/rag")).StatusCode);
            var upload = await client.PostAsJsonAsync("/v1/knowledge/documents", new { title = $"Doc {n}", text = $"Some text, number {n}." });
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }
        var listed = await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/api-keys");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), k => k.GetProperty("name").GetString() == "plain"
            && k.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).SequenceEqual(["*"]));
    }

    [Fact]
    public async Task A_key_mints_only_keys_with_scopes_it_holds_and_one_asked_without_scopes_gets_the_minters()
    {
        var tenant = await api.NewTenantAsync("Minting");
        var (_, minterKey) = await MintAsync(tenant.Client, new { name = "minter", scopes = new[] { "keys", "agents" } });
        var minter = api.Client(minterKey);

        var (_, agentsKey) = await MintAsync(minter, new { name = "agents only", scopes = new[] { "agents" } });
        Assert.Equal(HttpStatusCode.OK, (await api.Client(agentsKey).GetAsync("/v1/agents")).StatusCode);
        await AssertMissingScopeAsync(await api.Client(agentsKey).PostAsJsonAsync("/v1/api-keys", new { name = "x" }), "keys");

        await AssertMissingScopeAsync(await minter.PostAsJsonAsync("/v1/api-keys", new { name = "wider", scopes = new[] { "agents", "calls" } }), "calls");
        await AssertMissingScopeAsync(await minter.PostAsJsonAsync("/v1/api-keys", new { name = "all", scopes = new[] { "*" } }), "*");

        var same = await minter.PostAsJsonAsync("/v1/api-keys", new { name = "same" });
        Assert.Equal(HttpStatusCode.Created, same.StatusCode);
        var scopes = (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetProperty("scopes")
            .EnumerateArray().Select(s => s.GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["agents", "keys"], scopes);

        var unknown = await tenant.Client.PostAsJsonAsync("/v1/api-keys", new { name = "typo", scopes = new[] { "knowledge" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("knowledge:read", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_with_an_expiry_works_until_then_and_is_refused_after()
    {
        var tenant = await api.NewTenantAsync("Expiring");
        var past = await tenant.Client.PostAsJsonAsync("/v1/api-keys", new { name = "past", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);

        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var response = await tenant.Client.PostAsJsonAsync("/v1/api-keys", new { name = "short", expiresAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.InRange(created.GetProperty("apiKey").GetProperty("expiresAt").GetDateTimeOffset(), expiresAt.AddMilliseconds(-1), expiresAt.AddMilliseconds(1));
        var client = api.Client(created.GetProperty("key").GetString());
        var first = await client.GetAsync("/v1/agents");
        if (DateTimeOffset.UtcNow < expiresAt)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        // Cached after its first use, and still refused once its time is up.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.GetAsync("/v1/agents")).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "the expired key kept working");
            await Task.Delay(100);
        }
        Assert.True(DateTimeOffset.UtcNow >= expiresAt);
    }

    [Fact]
    public async Task Every_endpoint_that_takes_a_key_names_the_scope_it_needs_or_is_the_platforms()
    {
        var endpoints = api.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        // Open to any valid key: whom it speaks for, and the server's budgets.
        string[] anyKey = ["/v1/me", "/v1/config"];
        var unscoped = new List<string>();
        foreach (var e in endpoints)
        {
            var route = "/" + e.RoutePattern.RawText?.TrimStart('/');
            var authorize = e.Metadata.GetOrderedMetadata<IAuthorizeData>();
            var policies = e.Metadata.GetOrderedMetadata<AuthorizationPolicy>();
            if (e.Metadata.GetMetadata<IAllowAnonymous>() is not null || (authorize.Count == 0 && policies.Count == 0))
            {
                continue;
            }
            var scoped = policies.SelectMany(p => p.Requirements).OfType<ScopeRequirement>().Any();
            var platform = authorize.Any(a => a.Policy == AuthHostingExtensions.AdminPolicy);
            if (!scoped && !platform && !anyKey.Contains(route))
            {
                unscoped.Add($"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {route}");
            }
        }
        Assert.Empty(unscoped);
        Assert.Contains(endpoints, e => e.Metadata.GetOrderedMetadata<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<ScopeRequirement>().Any(r => r.Scope == "knowledge:write"));
    }
}
