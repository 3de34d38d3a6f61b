using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Knowledge;
using Parley.Knowledge.Jobs;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Edges;

/// <summary>
/// Budgets generous enough that no stage is cut off on a busy machine, and the job worker off, so a
/// queued job stays queued until the test runs it: every answer is the same on every run.
/// </summary>
public sealed class EdgeShapeFixture : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Calls:SearchBudgetMs"] = "30000",
        ["Parley:Calls:LlmBudgetMs"] = "30000",
        ["Parley:Calls:TtsBudgetMs"] = "30000",
        ["Parley:Calls:TurnBudgetMs"] = "100000",
        ["Parley:Knowledge:Jobs:Worker"] = "false",
    };
}

/// <summary>
/// Walks every endpoint of the API once and compares what each answers (status, media type, location,
/// and the JSON's field names in order, the kinds of their values, and the values of lowercase words
/// such as statuses) with <c>edge-shapes.txt</c>, recorded before the endpoints moved to typed results.
/// A change of any answer's shape fails here; set <c>PARLEY_UPDATE_EDGE_SHAPES=1</c> to record a
/// deliberate one, and review the diff.
/// </summary>
public sealed partial class EdgeShapeTests(EdgeShapeFixture api) : IClassFixture<EdgeShapeFixture>
{
    private readonly StringBuilder _shapes = new();

    [Fact]
    public async Task Every_endpoint_answers_with_the_fields_it_answered_before_typed_results()
    {
        try
        {
            await WalkAsync();
        }
        finally
        {
            // Beside the test binaries, for a diff when the comparison fails.
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "edge-shapes.actual.txt"), _shapes.ToString());
        }
        var expectedPath = Path.Combine(KnowledgeApiTests.RepoRoot(), "tests", "Parley.IntegrationTests", "Edges", "edge-shapes.txt");
        var actual = _shapes.ToString();
        if (Environment.GetEnvironmentVariable("PARLEY_UPDATE_EDGE_SHAPES") == "1")
        {
            await File.WriteAllTextAsync(expectedPath, actual);
        }
        Assert.Equal(await File.ReadAllTextAsync(expectedPath), actual);
    }

    private async Task WalkAsync()
    {
        var admin = api.Admin;
        var account = await RecordAsync("create account", admin, HttpMethod.Post, "/v1/accounts", new { name = "Shapes", language = "english" });
        var accountId = account.GetProperty("account").GetProperty("id").GetGuid();
        var tenant = api.Client(account.GetProperty("apiKey").GetString());
        await RecordAsync("list accounts", admin, HttpMethod.Get, "/v1/accounts", valueless: true);
        await RecordAsync("get account", admin, HttpMethod.Get, $"/v1/accounts/{accountId}");
        await RecordAsync("patch account", admin, HttpMethod.Patch, $"/v1/accounts/{accountId}", new { plan = "growth" });

        await CrudAsync(tenant, "agents", new { name = "Receptionist", topK = 3, minSimilarity = 0.25 }, new { name = "Front desk" });
        await CrudAsync(tenant, "contacts", new { phone = "+15550100123", name = "Ann", metadata = new { vip = true } }, new { name = "Anne" });
        await CrudAsync(tenant, "users", new { email = "ann@example.com", name = "Ann", role = "admin" }, new { role = "member" });
        await CrudAsync(tenant, "integrations", new { kind = "webhook", name = "Hook", settings = new { region = "eu" }, secrets = new { secret = "s3cret" } },
            new { name = "Hook EU" });
        var key = await RecordAsync("create api key", tenant, HttpMethod.Post, "/v1/api-keys", new { name = "ci", scopes = new[] { "knowledge:read" } });
        await RecordAsync("list api keys", tenant, HttpMethod.Get, "/v1/api-keys");
        await RecordAsync("revoke api key", tenant, HttpMethod.Delete, $"/v1/api-keys/{key.GetProperty("apiKey").GetProperty("id").GetGuid()}");

        var document = await KnowledgeAsync(tenant);
        await CallsAsync(tenant, admin);
        await RecordAsync("delete document", tenant, HttpMethod.Delete, $"/v1/knowledge/documents/{document}");

        await RecordAsync("rag metrics", tenant, HttpMethod.Get, "/v1/metrics/rag?window=15m", valueless: true);
        // Minute buckets are the clock's: when the walk crosses a minute, its searches and its turns fall in two
        // points, one of them without turns. The shape is the fullest point's (the one with the turns).
        await RecordAsync("metric series", tenant, HttpMethod.Get, "/v1/metrics/series?window=15m&step=1m", valueless: true, view: FullestPoint);
        await RecordAsync("database metrics", admin, HttpMethod.Get, "/v1/metrics/database", valueless: true);
        await RecordAsync("alerts of a tenant", tenant, HttpMethod.Get, "/v1/alerts");
        await RecordAsync("config", tenant, HttpMethod.Get, "/v1/config");
        await RecordAsync("me as a tenant", tenant, HttpMethod.Get, "/v1/me");
        await RecordAsync("me as the platform", admin, HttpMethod.Get, "/v1/me");
        await RecordAsync("health", api.Client(null), HttpMethod.Get, "/health");
        await RecordAsync("no account scope", admin, HttpMethod.Get, "/v1/agents");
        await RecordAsync("unauthorised", api.Client(null), HttpMethod.Get, "/v1/agents");
    }

    private async Task CrudAsync(HttpClient client, string resource, object create, object patch)
    {
        var created = await RecordAsync($"create {resource}", client, HttpMethod.Post, $"/v1/{resource}", create);
        var id = created.GetProperty("id").GetGuid();
        await RecordAsync($"list {resource}", client, HttpMethod.Get, $"/v1/{resource}?limit=1");
        await RecordAsync($"get {resource}", client, HttpMethod.Get, $"/v1/{resource}/{id}");
        await RecordAsync($"patch {resource}", client, HttpMethod.Patch, $"/v1/{resource}/{id}", patch);
        await RecordAsync($"bad {resource}", client, HttpMethod.Post, $"/v1/{resource}", new { });
        var second = await RecordAsync($"create another of {resource}", client, HttpMethod.Post, $"/v1/{resource}", Another(resource, create));
        await RecordAsync($"delete {resource}", client, HttpMethod.Delete, $"/v1/{resource}/{second.GetProperty("id").GetGuid()}");
        await RecordAsync($"get deleted {resource}", client, HttpMethod.Get, $"/v1/{resource}/{second.GetProperty("id").GetGuid()}");
    }

    private static object Another(string resource, object create) => resource switch
    {
        "contacts" => new { phone = "+15550100124" },
        "users" => new { email = "bob@example.com" },
        _ => create,
    };

    private async Task<Guid> KnowledgeAsync(HttpClient tenant)
    {
        var text = "# Parking\n\nThere is free parking behind the restaurant after six.\n\n# Dogs\n\nDogs are welcome on the terrace.";
        var created = await RecordAsync("upload json", tenant, HttpMethod.Post, "/v1/knowledge/documents", new { title = "Visiting", text, metadata = new { lang = "en" } });
        await RecordAsync("upload json again", tenant, HttpMethod.Post, "/v1/knowledge/documents", new { title = "Visiting", text, metadata = new { lang = "en" } });
        await RecordAsync("upload json changed", tenant, HttpMethod.Post, "/v1/knowledge/documents", new { title = "Visiting", text = text + " Cats too." });
        var file = Path.Combine(KnowledgeApiTests.RepoRoot(), "demo", "knowledge", Directory.GetFiles(Path.Combine(KnowledgeApiTests.RepoRoot(), "demo", "knowledge"), "*.md")
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!);
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) }, { new StringContent("{\"k\":1}"), "metadata" } })
        {
            await RecordAsync("upload file", tenant, HttpMethod.Post, "/v1/knowledge/documents", form);
        }
        using (var form = new MultipartFormDataContent { { new StringContent("x"), "other" } })
        {
            await RecordAsync("upload form without a file", tenant, HttpMethod.Post, "/v1/knowledge/documents", form);
        }
        await RecordAsync("upload plain text", tenant, HttpMethod.Post, "/v1/knowledge/documents", new StringContent("hello", Encoding.UTF8, "text/plain"));
        await RecordAsync("upload bad json", tenant, HttpMethod.Post, "/v1/knowledge/documents", new { title = "" });
        var job = await RecordAsync("upload as a job", tenant, HttpMethod.Post, "/v1/knowledge/documents?async=true", new { title = "Later", text = "Brunch is served on Sundays from ten." });
        var jobId = job.GetProperty("jobId").GetGuid();
        await RecordAsync("queued job", tenant, HttpMethod.Get, $"/v1/knowledge/jobs/{jobId}");
        Assert.True(await api.App.Services.GetRequiredService<IngestionJobWorker>().RunOnceAsync(CancellationToken.None));
        await RecordAsync("succeeded job", tenant, HttpMethod.Get, $"/v1/knowledge/jobs/{jobId}");
        await RecordAsync("list jobs", tenant, HttpMethod.Get, "/v1/knowledge/jobs");
        await RecordAsync("list documents", tenant, HttpMethod.Get, "/v1/knowledge/documents?limit=1");
        var id = created.GetProperty("documentId").GetGuid();
        await RecordAsync("get document", tenant, HttpMethod.Get, $"/v1/knowledge/documents/{id}");
        await RecordAsync("search", tenant, HttpMethod.Post, "/v1/knowledge/search", new { query = "free parking", topK = 2 });
        await RecordAsync("search hybrid", tenant, HttpMethod.Post, "/v1/knowledge/search", new { query = "dogs terrace", mode = "hybrid" });
        await RecordAsync("search filtered", tenant, HttpMethod.Post, "/v1/knowledge/search", new { query = "parking", filter = new { k = 1 }, minSimilarity = 0.0 });
        await RecordAsync("search explained", tenant, HttpMethod.Post, "/v1/knowledge/search?explain=true", new { query = "free parking", topK = 1 }, valueless: true);
        await RecordAsync("search bad mode", tenant, HttpMethod.Post, "/v1/knowledge/search", new { query = "x", mode = "fuzzy" });
        return id;
    }

    private async Task CallsAsync(HttpClient tenant, HttpClient admin)
    {
        var agent = (await tenant.PostAsJsonAsync("/v1/agents", new { name = "Caller", topK = 3, minSimilarity = 0.2 })).Content;
        var agentId = (await agent.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = await RecordAsync("start call", tenant, HttpMethod.Post, "/v1/calls", new { agentId, contact = new { phone = "+15550100999" }, direction = "in" });
        var id = call.GetProperty("id").GetGuid();
        await RecordAsync("bad call", tenant, HttpMethod.Post, "/v1/calls", new { direction = "sideways" });
        // The first turn loads the model; its answer is recorded like the rest.
        await RecordAsync("text turn", tenant, HttpMethod.Post, $"/v1/calls/{id}/turns?speak=false", new { transcript = "Is there free parking?" });
        await RecordAsync("spoken turn", tenant, HttpMethod.Post, $"/v1/calls/{id}/turns", new { transcript = "Can I bring my dog?" }, valueless: true);
        using (var form = new MultipartFormDataContent { { new StringContent("Is there free parking?"), "transcript" } })
        {
            await RecordAsync("form turn", tenant, HttpMethod.Post, $"/v1/calls/{id}/turns?speak=false", form);
        }
        await RecordAsync("plain text turn", tenant, HttpMethod.Post, $"/v1/calls/{id}/turns", new StringContent("hi", Encoding.UTF8, "text/plain"));
        await RecordAsync("end call", tenant, HttpMethod.Post, $"/v1/calls/{id}/end");
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        await RecordAsync("get call", tenant, HttpMethod.Get, $"/v1/calls/{id}");
        await RecordAsync("list calls", tenant, HttpMethod.Get, "/v1/calls?status=ended");
        await RecordAsync("usage", tenant, HttpMethod.Get, "/v1/usage");
        var invoice = await RecordAsync("create invoice", tenant, HttpMethod.Post, "/v1/invoices",
            new { periodStart = DateTimeOffset.UtcNow.AddDays(-1), periodEnd = DateTimeOffset.UtcNow.AddDays(1) });
        var invoiceId = invoice.GetProperty("id").GetGuid();
        await RecordAsync("list invoices", tenant, HttpMethod.Get, "/v1/invoices");
        // Only the platform records payments: the admin key, acting as the account.
        var platform = api.Admin;
        platform.DefaultRequestHeaders.Add("X-Parley-Account", invoice.GetProperty("accountId").GetGuid().ToString());
        await RecordAsync("tenant may not pay", tenant, HttpMethod.Post, $"/v1/invoices/{invoiceId}/payments", new { amount = 1000m });
        await RecordAsync("pay invoice", platform, HttpMethod.Post, $"/v1/invoices/{invoiceId}/payments", new { amount = 1000m, externalReference = "ref-1" });
        await RecordAsync("get invoice", tenant, HttpMethod.Get, $"/v1/invoices/{invoiceId}");
        await RecordAsync("alerts of the platform", admin, HttpMethod.Get, "/v1/alerts");
    }

    /// <summary>The series with only its point of the most turns, then searches.</summary>
    private static JsonElement FullestPoint(JsonElement series)
    {
        var fullest = series.GetProperty("points").EnumerateArray()
            .MaxBy(p => (p.GetProperty("turns").GetInt64(), p.GetProperty("searches").GetInt64()));
        var node = System.Text.Json.Nodes.JsonNode.Parse(series.GetRawText())!.AsObject();
        node["points"] = new System.Text.Json.Nodes.JsonArray(System.Text.Json.Nodes.JsonNode.Parse(fullest.GetRawText()));
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }

    private async Task<JsonElement> RecordAsync(string name, HttpClient client, HttpMethod method, string path, object? body = null, bool valueless = false,
        Func<JsonElement, JsonElement>? view = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body switch
            {
                null => null,
                HttpContent c => c,
                _ => JsonContent.Create(body),
            },
        };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        _shapes.Append(name).Append(": ").Append(method).Append(' ').Append(Ids().Replace(path, "{id}"))
            .Append(" -> ").Append((int)response.StatusCode).Append(' ').Append(response.Content.Headers.ContentType?.MediaType ?? "-");
        if (response.Headers.Location is { } location)
        {
            _shapes.Append(" at ").Append(Ids().Replace(location.OriginalString, "{id}"));
        }
        _shapes.AppendLine();
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) != true || text.Length == 0)
        {
            return default;
        }
        var json = JsonDocument.Parse(text).RootElement;
        _shapes.Append("  ").AppendLine(Shape(view is null ? json : view(json), valueless));
        return json;
    }

    /// <summary>Field names in order; a value's kind; lowercase words (states, kinds, modes) as themselves.</summary>
    private static string Shape(JsonElement e, bool valueless) => e.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(", ", e.EnumerateObject()
            // A problem's trace id and an extension's errors are not the endpoint's to shape.
            .Where(p => p.Name != "traceId")
                        // An API key's prefix is random, and may look like a word.
            .Select(p => $"{p.Name}: {Shape(p.Value, valueless || p.Name == "prefix")}")) + "}",
        JsonValueKind.Array => e.GetArrayLength() == 0 ? "[]" : "[" + Shape(e[0], valueless) + (e.GetArrayLength() > 1 ? ", …" : "") + "]",
        _ when valueless => e.ValueKind == JsonValueKind.Null ? "null" : "value",
        JsonValueKind.String when Word().IsMatch(e.GetString()!) => "\"" + e.GetString() + "\"",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,23}$")]
    private static partial Regex Word();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Ids();
}
