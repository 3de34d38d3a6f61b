using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

public sealed class InvalidInputTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "/v1/contacts", """{"phone":"555-0100","name":"x"}""", "contacts", "phone" },
        { "/v1/contacts", """{"phone":"+0123456789"}""", "contacts", "phone" },
        { "/v1/agents", """{"name":""}""", "agents", "name" },
        { "/v1/agents", """{"name":"ok","topK":0}""", "agents", "topK" },
        // One character over the prompt limit (a megabyte of prompt is over the body limit: a 413, see AmplificationTests).
        { "/v1/agents", $$"""{"name":"big","systemPrompt":"{{new string('x', 20_001)}}"}""", "agents", "systemPrompt" },
        { "/v1/agents", """{"name": "unterminated""", "agents", "" },
        { "/v1/users", """{"email":"not-an-email"}""", "users", "email" },
        { "/v1/users", """{"email":"a@b.c","role":"god"}""", "users", "role" },
        { "/v1/integrations", """{"kind":"fax","name":"x"}""", "integrations", "kind" },
        { "/v1/calls", """{"agentId":"0192f5a0-0000-7000-8000-000000000001"}""", "calls", "agentId" },
        { "/v1/accounts", """{"name":"x","language":"klingon"}""", "accounts", "language" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_input_gets_400_problem_details_and_writes_nothing(string path, string json, string table, string field)
    {
        var a = await api.NewTenantAsync();
        var client = path == "/v1/accounts" ? api.Admin : a.Client;
        var before = await CountAsync(table);
        var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field.Length > 0)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {body}");
        }
        Assert.Equal(before, await CountAsync(table));
    }

    [Fact]
    public async Task A_duplicate_email_is_a_409_conflict()
    {
        var a = await api.NewTenantAsync();
        (await a.Client.PostAsJsonAsync("/v1/users", new { email = "dup@example.com" })).EnsureSuccessStatusCode();
        var again = await a.Client.PostAsJsonAsync("/v1/users", new { email = "DUP@example.com" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Bad_paging_values_get_400()
    {
        var a = await api.NewTenantAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/v1/agents?limit=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/v1/agents?limit=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/v1/agents?after=garbage")).StatusCode);
    }

    private async Task<long> CountAsync(string table)
    {
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
