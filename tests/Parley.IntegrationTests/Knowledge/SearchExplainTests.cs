using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Knowledge;

/// <summary><c>"explain": true</c> on a search: the admin playground's <c>EXPLAIN (ANALYZE, BUFFERS)</c> of the statement that ran.</summary>
public sealed partial class SearchExplainTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static async Task<JsonElement> SearchAsync(HttpClient client, object body, string path = "/v1/knowledge/search")
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory]
    [InlineData("vector")]
    [InlineData("hybrid")]
    public async Task Explain_returns_the_analyzed_plan_beside_the_results(string mode)
    {
        var a = await api.NewTenantAsync();
        (await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text = "We open at nine on Saturdays and close at midnight." })).EnsureSuccessStatusCode();

        var result = await SearchAsync(a.Client, new { query = "when do you open on saturday", topK = 3, mode, explain = true });
        Assert.Contains("nine", result.GetProperty("results")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        var plan = result.GetProperty("plan").GetString()!;
        Assert.Contains("Limit", plan, StringComparison.Ordinal);
        Assert.Contains("Buffers:", plan, StringComparison.Ordinal);
        Assert.Contains("Execution Time", plan, StringComparison.Ordinal);
        Assert.Contains("knowledge_chunks", plan, StringComparison.Ordinal);

        var plain = await SearchAsync(a.Client, new { query = "when do you open on saturday", topK = 3, mode });
        Assert.False(plain.TryGetProperty("plan", out _));
        var byQueryString = await SearchAsync(a.Client, new { query = "when do you open on saturday", topK = 3, mode }, "/v1/knowledge/search?explain=true");
        Assert.Contains("Execution Time", byQueryString.GetProperty("plan").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_explained_query_runs_in_the_tenant_scope_and_sees_none_of_another_tenant_rows()
    {
        var a = await api.NewTenantAsync("A");
        var b = await api.NewTenantAsync("B");
        for (var i = 0; i < 4; i++)
        {
            (await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = $"Menu {i}", text = $"Dish number {i} is a saffron risotto with lemon." })).EnsureSuccessStatusCode();
        }
        var planA = (await SearchAsync(a.Client, new { query = "saffron risotto", topK = 3, explain = true })).GetProperty("plan").GetString()!;
        var planB = (await SearchAsync(b.Client, new { query = "saffron risotto", topK = 3, explain = true })).GetProperty("plan").GetString()!;
        // The app's role sees no tenant rows unless the batch set the tenant: A's rows prove the EXPLAIN ran
        // inside A's row-level-security scope, B's none that it ran in B's and nobody else's.
        Assert.Equal(3, TopRows(planA));
        Assert.Equal(0, TopRows(planB));
    }

    /// <summary>The actual row count of the plan's first (top) node.</summary>
    private static int TopRows(string plan) => int.Parse(ActualRows().Match(plan).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")]
    private static partial Regex ActualRows();
}
