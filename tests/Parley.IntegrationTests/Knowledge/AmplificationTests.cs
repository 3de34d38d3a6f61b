using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>
/// Bounded amplification: a document's metadata is stored once (on the document) and joined into
/// every result, each free-form JSON value has a size limit, and each endpoint a body limit that a
/// refusal names.
/// </summary>
public sealed class AmplificationTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Blob(int bytes) => $$$"""{"blob":"{{{new string('m', bytes)}}}"}""";

    [Fact]
    public async Task Document_metadata_is_stored_once_and_still_comes_and_filters_with_every_result()
    {
        var a = await api.NewTenantAsync("Amplification");
        var text = "# Menu\n\n## Lunch\n\n" + string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Lunch dish {i} is grilled sardines with lemon and bread."));
        var created = await a.Client.PostAsJsonAsync("/v1/knowledge/documents",
            new { title = "Menu", text, source = "menu.md", metadata = new { tags = new[] { "menu" }, note = "seasonal" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chunks").GetInt32() > 1);

        await using (var su = api.CreateSuperuserDataSource())
        await using (var cmd = su.CreateCommand("SELECT DISTINCT metadata::text FROM knowledge_chunks WHERE account_id = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a.Id });
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            // Only the chunk's own metadata: its heading path, no copy of the document's.
            Assert.Equal("""{"headings": ["Menu", "Lunch"]}""", reader.GetString(0));
            Assert.False(await reader.ReadAsync());
        }

        foreach (var filter in new object?[] { null, new { tags = new[] { "menu" } }, new { note = "seasonal" }, new { source = "menu.md" }, new { headings = new[] { "Lunch" } } })
        {
            foreach (var mode in new[] { "vector", "hybrid" })
            {
                var search = await (await a.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = "grilled sardines", topK = 3, filter, mode }))
                    .Content.ReadFromJsonAsync<JsonElement>();
                var hit = search.GetProperty("results")[0];
                var metadata = hit.GetProperty("metadata");
                Assert.Equal("menu", metadata.GetProperty("tags")[0].GetString());
                Assert.Equal("seasonal", metadata.GetProperty("note").GetString());
                Assert.Equal("menu.md", metadata.GetProperty("source").GetString());
                Assert.Equal(["Menu", "Lunch"], metadata.GetProperty("headings").EnumerateArray().Select(h => h.GetString()));
            }
        }
        var none = await (await a.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = "grilled sardines", filter = new { tags = new[] { "drinks" } }, mode = "hybrid" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, none.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Metadata_settings_and_filters_over_their_size_limits_are_refused_with_the_limit_named()
    {
        var a = await api.NewTenantAsync("Limits");
        var cases = new (string Path, string Body, string Field)[]
        {
            ("/v1/knowledge/documents", $$$"""{"title":"t","text":"x","metadata":{{{Blob(20_000)}}}}""", "metadata"),
            ("/v1/contacts", $$$"""{"phone":"+15550100321","metadata":{{{Blob(20_000)}}}}""", "metadata"),
            ("/v1/integrations", $$$"""{"kind":"webhook","name":"hook","settings":{{{Blob(20_000)}}}}""", "settings"),
            ("/v1/integrations", $$$"""{"kind":"webhook","name":"hook","secrets":{{{Blob(20_000)}}}}""", "secrets"),
            ("/v1/knowledge/search", $$$"""{"query":"x","filter":{{{Blob(5_000)}}}}""", "filter"),
        };
        foreach (var (path, body, field) in cases)
        {
            var response = await a.Client.PostAsync(new Uri(path, UriKind.Relative), Json(body));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {problem}");
            Assert.Matches(@"larger than \d+ bytes", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        }
        var zeros = await a.Client.PostAsync(new Uri("/v1/knowledge/search", UriKind.Relative),
            Json($$$"""{"vector":[{{{string.Join(',', Enumerable.Repeat("0", 384))}}}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, zeros.StatusCode);
        Assert.Contains("all zeros", await zeros.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/agents", 300 * 1024, 256 * 1024)]
    [InlineData("/v1/contacts", 300 * 1024, 256 * 1024)]
    [InlineData("/v1/knowledge/search", 200 * 1024, 128 * 1024)]
    [InlineData("/v1/calls/00000000-0000-0000-0000-000000000001/turns", 11 * 1024 * 1024, (10 * 1024 * 1024) + (64 * 1024))]
    public async Task Each_endpoint_refuses_a_body_over_its_own_limit_with_a_problem_naming_the_limit(string path, int size, int limit)
    {
        var a = await api.NewTenantAsync("Bodies");
        var response = await a.Client.PostAsync(new Uri(path, UriKind.Relative), Json($$$"""{"name":"{{{new string('n', size)}}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(limit, problem.GetProperty("limitBytes").GetInt64());
        Assert.Contains($"at most {limit} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
