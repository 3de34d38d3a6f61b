using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

public sealed class KnowledgeApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string DemoFolder = Path.Combine(RepoRoot(), "demo", "knowledge");

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static async Task UploadDemoAsync(HttpClient client)
    {
        foreach (var file in Directory.GetFiles(DemoFolder, "*.md"))
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) } };
            var response = await client.PostAsync("/v1/knowledge/documents", form);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/search", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory]
    [InlineData("Is there free parking near the restaurant?", "Location and parking", "vector")]
    [InlineData("What time is brunch served on Sunday?", "Opening hours", "vector")]
    [InlineData("how much is corkage", "Drinks and wine", "hybrid")]
    [InlineData("Can I bring my dog?", "Terrace and dogs", "hybrid")]
    public async Task A_question_finds_the_chunk_that_answers_it(string question, string expectedTitle, string mode)
    {
        var a = await api.NewTenantAsync();
        await UploadDemoAsync(a.Client);
        var result = await SearchAsync(a.Client, new { query = question, topK = 3, mode });
        var top = result.GetProperty("results")[0];
        Assert.Equal(expectedTitle, top.GetProperty("title").GetString());
        Assert.InRange(top.GetProperty("similarity").GetDouble(), 0.3, 1.0);
        Assert.StartsWith(mode == "hybrid" ? "hybrid-exact" : "exact", result.GetProperty("strategy").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);
    }

    /// <summary>
    /// "organ" and "organic" share the stem <c>organ</c> and nothing of their meaning: the embedding
    /// ranks the bread passage near the bottom of the 28 chunks, the full-text half first. The question
    /// has one more content word, "play", which the live-music passage holds: with the old AND
    /// semantics of websearch_to_tsquery no chunk held both, and hybrid equalled vector.
    /// </summary>
    [Fact]
    public async Task Hybrid_finds_a_passage_that_shares_only_a_word_with_the_question()
    {
        var a = await api.NewTenantAsync();
        await UploadDemoAsync(a.Client);
        (await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Bread", text = "Our bread is baked every morning with organic flour from a mill in the valley." })).EnsureSuccessStatusCode();

        static List<string> Titles(JsonElement result) => result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("title").GetString()!).ToList();
        var vector = Titles(await SearchAsync(a.Client, new { query = "Do you play the organ?", topK = 5, mode = "vector" }));
        var hybrid = Titles(await SearchAsync(a.Client, new { query = "Do you play the organ?", topK = 5, mode = "hybrid" }));

        Assert.DoesNotContain("Bread", vector);
        Assert.Contains("Bread", hybrid);
        // The passage that matches both in meaning and in words stays first.
        Assert.Equal("Events and live music", hybrid[0]);
    }

    [Fact]
    public async Task Re_ingesting_is_a_no_op_a_change_replaces_the_chunks_and_delete_removes_them()
    {
        var a = await api.NewTenantAsync();
        var first = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Pets", text = "Cats are welcome in the reading room on Tuesdays." });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("documentId").GetGuid();

        var again = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Pets", text = "Cats are welcome in the reading room on Tuesdays." });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("unchanged", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var changed = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Pets", text = "Parrots may visit the garden on Sundays." });
        var changedBody = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("replaced", changedBody.GetProperty("status").GetString());
        Assert.Equal(id, changedBody.GetProperty("documentId").GetGuid());
        var hits = (await SearchAsync(a.Client, new { query = "cats reading room", topK = 5 })).GetProperty("results");
        Assert.All(hits.EnumerateArray(), h => Assert.DoesNotContain("Cats", h.GetProperty("content").GetString(), StringComparison.Ordinal));
        Assert.Contains("Parrots", hits[0].GetProperty("content").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"/v1/knowledge/documents/{id}")).StatusCode);
        Assert.Equal(0, (await SearchAsync(a.Client, new { query = "parrots", topK = 5 })).GetProperty("results").GetArrayLength());
        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM knowledge_chunks WHERE document_id = $1");
        cmd.Parameters.Add(new() { Value = id });
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Tenant_b_never_sees_tenant_a_chunks_or_documents()
    {
        var a = await api.NewTenantAsync();
        var b = await api.NewTenantAsync();
        var posted = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Secret recipe", text = "The secret sauce is saffron, smoked paprika and lemon zest." });
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documentId").GetGuid();
        await b.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "B's doc", text = "Our shop sells bicycles and spare parts." });
        foreach (var mode in new[] { "vector", "hybrid" })
        {
            var results = (await SearchAsync(b.Client, new { query = "secret sauce saffron paprika", topK = 10, mode })).GetProperty("results");
            Assert.All(results.EnumerateArray(), r => Assert.NotEqual(id, r.GetProperty("documentId").GetGuid()));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync($"/v1/knowledge/documents/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.DeleteAsync($"/v1/knowledge/documents/{id}")).StatusCode);
        var list = await b.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), d => d.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Metadata_filters_and_minimum_similarity_narrow_the_results()
    {
        var a = await api.NewTenantAsync();
        await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Menu", text = "The lobster linguine costs 38 dollars.", metadata = new { tags = new[] { "menu" } } });
        await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Policy", text = "Lobster allergies must be declared when booking.", metadata = new { tags = new[] { "policy" } } });
        var filtered = (await SearchAsync(a.Client, new { query = "lobster", topK = 5, filter = new { tags = new[] { "policy" } } })).GetProperty("results");
        Assert.Equal("Policy", Assert.Single(filtered.EnumerateArray()).GetProperty("title").GetString());
        var strict = (await SearchAsync(a.Client, new { query = "lobster linguine price", topK = 5, minSimilarity = 0.99 })).GetProperty("results");
        Assert.Equal(0, strict.GetArrayLength());
    }

    public static TheoryData<string> BadSearches => new()
    {
        """{"query":""}""",
        """{"query":"x","topK":0}""",
        """{"query":"x","topK":10000}""",
        """{"query":"x","filter":"tags = menu"}""",
        """{"query":"x","filter":["a"]}""",
        """{"query":"x","mode":"telepathy"}""",
        """{"query":"x","minSimilarity":7}""",
        """{"query": "x" """,
    };

    [Theory]
    [MemberData(nameof(BadSearches))]
    public async Task Bad_searches_get_400_problem_details(string json)
    {
        var a = await api.NewTenantAsync();
        var response = await a.Client.PostAsync("/v1/knowledge/search", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("binary.txt", "nul")]
    [InlineData("latin1.txt", "invalid-utf8")]
    [InlineData("huge.txt", "20mb")]
    [InlineData("picture.png", "png")]
    [InlineData("empty.md", "empty")]
    public async Task Bad_uploads_get_400_and_nothing_is_written(string name, string kind)
    {
        var a = await api.NewTenantAsync();
        byte[] bytes = kind switch
        {
            "nul" => [0x48, 0x00, 0x49, 0x00],
            "invalid-utf8" => [0x43, 0x61, 0x66, 0xE9, 0x20, 0xFF],
            "20mb" => Encoding.UTF8.GetBytes(new string('a', 20 * 1024 * 1024)),
            "png" => [0x89, 0x50, 0x4E, 0x47],
            _ => [],
        };
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } };
        var response = await a.Client.PostAsync("/v1/knowledge/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var list = await a.Client.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Html_and_markdown_keep_their_headings_in_chunk_metadata()
    {
        var a = await api.NewTenantAsync();
        const string html = "<html><head><title>Hours</title><script>var x=1;</script></head><body><h1>Hours</h1><h2>Lunch</h2><p>Lunch runs from noon to three.</p></body></html>";
        using var form = new MultipartFormDataContent { { new StringContent(html), "file", "hours.html" } };
        (await a.Client.PostAsync("/v1/knowledge/documents", form)).EnsureSuccessStatusCode();
        var hit = (await SearchAsync(a.Client, new { query = "when is lunch", topK = 1 })).GetProperty("results")[0];
        Assert.DoesNotContain("var x", hit.GetProperty("content").GetString(), StringComparison.Ordinal);
        var headings = hit.GetProperty("metadata").GetProperty("headings").EnumerateArray().Select(h => h.GetString()!).ToArray();
        Assert.Equal(new[] { "Hours", "Lunch" }, headings);
    }
}
