using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// A cached answer is served only while what it was answered from stands: deleting a document and
/// editing the agent (its prompt, its retrieval settings) each end it. The ingest case is in
/// <see cref="CallTests"/>.
/// </summary>
public sealed class AnswerCacheInvalidationTests(CallFixture api) : IClassFixture<CallFixture>
{
    private const string Question = "What time do you open on Sunday?";

    private static async Task<bool> CachedAsync(HttpClient client, Guid call)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = Question });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cached").GetBoolean();
    }

    [Fact(Timeout = 180_000)]
    public async Task Deleting_a_document_ends_the_cached_answers_of_the_account()
    {
        var a = await api.NewTenantAsync("Cache delete");
        var agent = await CallTests.SetUpAsync(a.Client);
        var extra = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Gift cards", text = "Gift cards can be bought at the bar." });
        var doc = (await extra.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documentId").GetGuid();
        var call = await CallTests.StartCallAsync(a.Client, agent);
        Assert.False(await CachedAsync(a.Client, call));
        Assert.True(await CachedAsync(a.Client, call));

        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"/v1/knowledge/documents/{doc}")).StatusCode);
        Assert.False(await CachedAsync(a.Client, call));
        Assert.True(await CachedAsync(a.Client, call));
    }

    [Theory(Timeout = 180_000)]
    [InlineData("systemPrompt", "Answer in one short sentence.")]
    [InlineData("topK", 5)]
    public async Task Editing_the_agent_ends_its_cached_answers(string field, object value)
    {
        var a = await api.NewTenantAsync("Cache agent");
        var agent = await CallTests.SetUpAsync(a.Client);
        var call = await CallTests.StartCallAsync(a.Client, agent);
        Assert.False(await CachedAsync(a.Client, call));
        Assert.True(await CachedAsync(a.Client, call));

        var patched = await a.Client.PatchAsJsonAsync($"/v1/agents/{agent}", new Dictionary<string, object> { [field] = value });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False(await CachedAsync(a.Client, call));
        Assert.True(await CachedAsync(a.Client, call));
    }
}
