using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

public sealed class CrudIsolationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    public static TheoryData<string, object, object, string, string> Resources => new()
    {
        { "/v1/agents", new { name = "Reception", systemPrompt = "Be brief.", topK = 3 }, new { name = "Front desk", hybrid = true }, "name", "Front desk" },
        { "/v1/contacts", new { phone = "+15550100", name = "Ada", metadata = new { vip = true } }, new { name = "Ada L." }, "name", "Ada L." },
        { "/v1/users", new { email = "ada@example.com", name = "Ada", role = "admin" }, new { role = "member" }, "role", "member" },
        { "/v1/integrations", new { kind = "webhook", name = "CRM hook", settings = new { url = "https://example.invalid/hook" }, secrets = new { token = "s3cr3t" } }, new { name = "CRM hook 2" }, "name", "CRM hook 2" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task Each_resource_supports_create_read_update_delete_and_another_tenant_sees_none_of_it(string path, object create, object patch, string field, string expected)
    {
        var a = await api.NewTenantAsync("A");
        var b = await api.NewTenantAsync("B");

        var created = await a.Client.PostAsJsonAsync(path, create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var read = await a.Client.GetFromJsonAsync<JsonElement>($"{path}/{id}");
        Assert.Equal(id, read.GetProperty("id").GetGuid());
        var list = await a.Client.GetFromJsonAsync<JsonElement>(path);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), x => x.GetProperty("id").GetGuid() == id);

        var patched = await a.Client.PatchAsJsonAsync($"{path}/{id}", patch);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(expected, (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(field).GetString());

        // Tenant B: 404 on A's id for every verb, and nothing of A in its list. B's PATCH carries a value
        // A never set (the same body as A's would leave the row as it was even if B's write went through),
        // and A reads its own value back afterwards; B's DELETE is followed by A reading the row.
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync($"{path}/{id}")).StatusCode);
        var hostile = new Dictionary<string, string> { [field] = field == "role" ? "admin" : "taken over by B" };
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.PatchAsJsonAsync($"{path}/{id}", hostile)).StatusCode);
        Assert.Equal(expected, (await a.Client.GetFromJsonAsync<JsonElement>($"{path}/{id}")).GetProperty(field).GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.DeleteAsync($"{path}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync($"{path}/{id}")).StatusCode);
        var bList = await b.Client.GetFromJsonAsync<JsonElement>(path);
        Assert.DoesNotContain(bList.GetProperty("items").EnumerateArray(), x => x.GetProperty("id").GetGuid() == id);

        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"{path}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.GetAsync($"{path}/{id}")).StatusCode);
    }

    [Fact]
    public async Task Account_ids_travel_as_plain_uuid_strings_like_every_other_id()
    {
        var a = await api.NewTenantAsync();
        (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Reception" })).EnsureSuccessStatusCode();
        var agent = (await a.Client.GetFromJsonAsync<JsonElement>("/v1/agents")).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.String, agent.GetProperty("accountId").ValueKind);
        Assert.Equal(a.Id, agent.GetProperty("accountId").GetGuid());
    }

    [Fact]
    public async Task Integration_secrets_are_encrypted_at_rest_and_never_returned()
    {
        var a = await api.NewTenantAsync();
        var response = await a.Client.PostAsJsonAsync("/v1/integrations", new { kind = "telephony", name = "SIP", secrets = new { password = "hunter2-secret" } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("hunter2-secret", text, StringComparison.Ordinal);
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT protected_secrets FROM integrations");
        var stored = (string?)await cmd.ExecuteScalarAsync();
        Assert.NotNull(stored);
        Assert.DoesNotContain("hunter2", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_walks_every_row_once_with_the_next_cursor()
    {
        var a = await api.NewTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            (await a.Client.PostAsJsonAsync("/v1/agents", new { name = $"Agent {i}" })).EnsureSuccessStatusCode();
        }
        var seen = new List<Guid>();
        string? next = null;
        do
        {
            var page = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/agents?limit=2{(next is null ? "" : $"&after={next}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(x => x.GetProperty("id").GetGuid()));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (next is not null);
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_revoked_key_gets_401_and_a_missing_key_gets_401()
    {
        var a = await api.NewTenantAsync();
        var created = await a.Client.PostAsJsonAsync("/v1/api-keys", new { name = "temp" });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("apiKey").GetProperty("id").GetGuid();
        using var temp = api.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await temp.GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"/v1/api-keys/{keyId}")).StatusCode);
        var revoked = await temp.GetAsync("/v1/agents");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(null).GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client("pk_nope_nope").GetAsync("/v1/agents")).StatusCode);
    }

    [Fact]
    public async Task Only_the_admin_key_creates_accounts_and_a_tenant_lists_only_its_own()
    {
        var a = await api.NewTenantAsync("Only A");
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Client.PostAsJsonAsync("/v1/accounts", new { name = "sneaky" })).StatusCode);
        var mine = await a.Client.GetFromJsonAsync<JsonElement>("/v1/accounts");
        Assert.Equal(a.Id, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }
}
