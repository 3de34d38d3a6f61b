using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.BadInput;

public sealed class BadInputCatalogueTests(CatalogueFixture api) : IClassFixture<CatalogueFixture>
{
    public static TheoryData<string> Names => new(BadInputCatalogue.Cases.Keys);

    [Fact]
    public void The_catalogue_holds_at_least_forty_hostile_requests() => Assert.True(BadInputCatalogue.Cases.Count >= 40);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_hostile_request_gets_its_4xx_problem_details_changes_nothing_and_the_server_stays_healthy(string name)
    {
        var c = BadInputCatalogue.Cases[name];
        var before = await api.TenantTableContentsAsync();

        var path = api.Ids.Aggregate(c.Path, (p, id) => p.Replace($"{{{id.Key}}}", id.Value, StringComparison.Ordinal));
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), path) { Content = c.Body(api.Ids) };
        using var client = api.App.CreateClient();
        switch (c.Auth)
        {
            case "a":
                request.Headers.Authorization = api.A.DefaultRequestHeaders.Authorization;
                break;
            case "revoked":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", api.RevokedKey);
                break;
            case "unknown":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pk_unknown00_0000000000000000000000000000000000000000");
                break;
            case "basic":
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");
                break;
            case "admin":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
                break;
            case "admin-bad-account":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
                request.Headers.Add("X-Parley-Account", "'; DROP TABLE accounts; --");
                break;
        }
        using var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(c.Expected == response.StatusCode, $"{name}: expected {(int)c.Expected}, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)c.Expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));

        var after = await api.TenantTableContentsAsync();
        var changed = before.Keys.Where(t => before[t] != after.GetValueOrDefault(t)).ToList();
        Assert.True(changed.Count == 0, $"{name} changed {string.Join(", ", changed)}");
        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Injection_strings_in_metadata_and_filters_are_stored_and_matched_as_plain_data()
    {
        const string hostile = "'; DROP TABLE knowledge_chunks; -- $.tags[*] ? (@ == \"x\")";
        var stored = await api.A.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hostile", text = "The lighthouse tour starts at dawn.", metadata = new { note = hostile, tags = new[] { "tour" } } });
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var hits = await (await api.A.PostAsJsonAsync("/v1/knowledge/search", new { query = "lighthouse tour", topK = 5, filter = new { note = hostile } })).Content.ReadFromJsonAsync<JsonElement>();
        var hit = Assert.Single(hits.GetProperty("results").EnumerateArray());
        Assert.Equal(hostile, hit.GetProperty("metadata").GetProperty("note").GetString());
        var none = await (await api.A.PostAsJsonAsync("/v1/knowledge/search", new { query = "lighthouse tour", topK = 5, filter = new { note = "' OR '1'='1" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, none.GetProperty("results").GetArrayLength());
        Assert.True((await api.TenantRowCountsAsync())["knowledge_chunks"] > 0);
    }
}
