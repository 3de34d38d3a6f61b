using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.IntegrationTests.Transactional;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Admin;

/// <summary>The server support the admin page relies on: acting as an account, editing accounts, the config it draws against.</summary>
public sealed class AdminApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private HttpClient AdminActingAs(Guid account)
    {
        var client = api.Admin;
        client.DefaultRequestHeaders.Add("X-Parley-Account", account.ToString());
        return client;
    }

    [Fact]
    public async Task The_admin_key_acts_for_the_account_it_names()
    {
        var a = await api.NewTenantAsync("A");
        var created = await AdminActingAs(a.Id).PostAsJsonAsync("/v1/agents", new { name = "Made by the admin" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var seenByTenant = await a.Client.GetFromJsonAsync<JsonElement>("/v1/agents");
        Assert.Contains(seenByTenant.GetProperty("items").EnumerateArray(), x => x.GetProperty("id").GetGuid() == id);
        // Without the header the admin key has no account, and tenant endpoints say so.
        Assert.Equal(HttpStatusCode.BadRequest, (await api.Admin.GetAsync("/v1/agents")).StatusCode);
    }

    [Fact]
    public async Task An_account_key_cannot_act_as_another_account()
    {
        var a = await api.NewTenantAsync("A");
        var b = await api.NewTenantAsync("B");
        await b.Client.PostAsJsonAsync("/v1/agents", new { name = "B's secret agent" });

        var client = api.Client(a.Key);
        client.DefaultRequestHeaders.Add("X-Parley-Account", b.Id.ToString());
        var response = await client.GetAsync("/v1/agents");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("secret agent", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/v1/agents", new { name = "Planted" })).StatusCode);
        Assert.DoesNotContain((await b.Client.GetFromJsonAsync<JsonElement>("/v1/agents")).GetProperty("items").EnumerateArray(),
            x => x.GetProperty("name").GetString() == "Planted");

        // Naming its own account is harmless.
        var own = api.Client(a.Key);
        own.DefaultRequestHeaders.Add("X-Parley-Account", a.Id.ToString());
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync("/v1/agents")).StatusCode);
    }

    [Fact]
    public async Task Only_the_admin_key_edits_an_account_and_bad_values_come_back_as_field_errors()
    {
        var a = await api.NewTenantAsync("Before");
        var renamed = await api.Admin.PatchAsJsonAsync($"/v1/accounts/{a.Id}", new { name = "After", plan = "growth" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var body = await renamed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("After", body.GetProperty("name").GetString());
        Assert.Equal("growth", body.GetProperty("plan").GetString());

        var bad = await api.Admin.PatchAsJsonAsync($"/v1/accounts/{a.Id}", new { name = " ", plan = "platinum", language = "klingon" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("plan", out _));
        Assert.True(errors.TryGetProperty("language", out _));

        Assert.Equal(HttpStatusCode.Forbidden, (await a.Client.PatchAsJsonAsync($"/v1/accounts/{a.Id}", new { name = "Self-service" })).StatusCode);
        var listed = await api.Admin.GetFromJsonAsync<JsonElement>($"/v1/accounts/{a.Id}");
        Assert.Equal("After", listed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Me_tells_the_platform_key_from_an_account_key()
    {
        var a = await api.NewTenantAsync();
        var admin = await api.Admin.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal("platform", admin.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, admin.GetProperty("accountId").ValueKind);
        var acting = await AdminActingAs(a.Id).GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal("platform", acting.GetProperty("role").GetString());
        Assert.Equal(a.Id, acting.GetProperty("accountId").GetGuid());
        var tenant = await a.Client.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal("account", tenant.GetProperty("role").GetString());
        Assert.Equal(a.Id, tenant.GetProperty("accountId").GetGuid());
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client("pk_not_a_key").GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task The_config_endpoint_reports_the_budgets_the_server_runs_with()
    {
        await using var app = new ParleyAppFactory(api.ConnectionString, new Dictionary<string, string?>
        {
            ["Parley:Calls:TurnBudgetMs"] = "650",
            ["Parley:Calls:LlmBudgetMs"] = "320",
        });
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/config")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
        var config = await client.GetFromJsonAsync<JsonElement>("/v1/config");
        var budgets = config.GetProperty("budgets");
        Assert.Equal(650, budgets.GetProperty("turnMs").GetInt32());
        Assert.Equal(320, budgets.GetProperty("llmMs").GetInt32());
        Assert.Equal(100, budgets.GetProperty("searchMs").GetInt32());
        Assert.Equal(100, budgets.GetProperty("ttsMs").GetInt32());
        Assert.True(config.GetProperty("maxTopK").GetInt32() >= 1);
    }
}
