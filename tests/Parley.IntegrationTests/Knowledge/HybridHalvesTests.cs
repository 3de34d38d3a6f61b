using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Transactional;
using Parley.Knowledge.Search;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary>
/// Hybrid search needs both its halves. Each question here is shown against each half alone first (the
/// vector mode of the API; the full-text mode a turn falls back to, through the service), then in hybrid
/// mode, whose answer neither half gives alone: so a dead half, or a fusion that keeps one list only,
/// fails. The embedding is deterministic and a small tenant is searched exactly, so the rankings are too.
/// (A passage only the full-text half finds at all: KnowledgeApiTests' organ and organic flour.)
/// </summary>
public sealed class HybridHalvesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Dogs = "Terrace and dogs";

    private async Task<(Guid Account, HttpClient Client)> TenantAsync()
    {
        var a = await api.NewTenantAsync("Hybrid");
        await CallTests.SetUpAsync(a.Client);
        return (a.Id, a.Client);
    }

    private static async Task<List<string>> TitlesAsync(HttpClient client, string query, string mode)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/search", new { query, topK = 5, mode });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("title").GetString()!).ToList();
    }

    /// <summary>The full-text half alone, through the service: the API has no such mode.</summary>
    private async Task<List<string>> FullTextTitlesAsync(Guid account, string query)
    {
        var search = api.App.Services.GetRequiredService<KnowledgeSearch>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await search.SearchAsync(new AccountId(account), new SearchRequest(query, TopK: 5, Mode: SearchMode.FullText), timeout.Token);
        return response.Results.Select(r => r.Title).ToList();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_word_of_the_question_in_the_passage_lifts_it_above_the_vectors_first()
    {
        var (account, client) = await TenantAsync();
        // "May" (the month the terrace opens) is the one word the question shares with the passage.
        const string question = "May my labrador accompany me?";

        Assert.Contains(Dogs, await FullTextTitlesAsync(account, question));
        var vector = await TitlesAsync(client, question, "vector");
        Assert.True(vector[0] == "Accessibility" && vector.Contains(Dogs), $"vector: {string.Join(", ", vector)}");
        var hybrid = await TitlesAsync(client, question, "hybrid");
        Assert.True(hybrid[0] == Dogs, $"hybrid: {string.Join(", ", hybrid)}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_paraphrase_sharing_no_word_with_its_passage_is_found_by_hybrid_through_the_vector_half()
    {
        var (account, client) = await TenantAsync();
        const string question = "Could my terrier tag along?";

        Assert.Empty(await FullTextTitlesAsync(account, question));
        Assert.Equal(Dogs, (await TitlesAsync(client, question, "vector")).FirstOrDefault());
        var hybrid = await TitlesAsync(client, question, "hybrid");
        Assert.True(hybrid.FirstOrDefault() == Dogs, $"hybrid: {string.Join(", ", hybrid)}");
    }
}
