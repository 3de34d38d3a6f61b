using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

/// <summary>
/// Each filter of <c>GET /v1/calls</c> both ways: the value that matches returns exactly its calls,
/// the other value exactly the others, so a filter ignored (everything) or always false (nothing) fails.
/// </summary>
public sealed class CallFilterTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact(Timeout = 120_000)]
    public async Task Each_call_filter_returns_exactly_the_calls_it_names_and_the_other_value_the_rest()
    {
        var a = await api.NewTenantAsync("Filters");
        var other = await api.NewTenantAsync("Other");
        var agent1 = await IdAsync(await a.Client.PostAsJsonAsync("/v1/agents", new { name = "One" }));
        var agent2 = await IdAsync(await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Two" }));
        var first = await IdAsync(await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent1, contact = new { phone = "+15550100001" }, direction = "in" }));
        var second = await IdAsync(await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent2, contact = new { phone = "+15550100002" }, direction = "out" }));
        var third = await IdAsync(await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent1, contact = new { phone = "+15550100002" } }));
        Assert.Equal(HttpStatusCode.OK, (await a.Client.PostAsync($"/v1/calls/{first}/end", null)).StatusCode);
        // Another tenant's call on the same phone number never shows.
        var otherAgent = await IdAsync(await other.Client.PostAsJsonAsync("/v1/agents", new { name = "Theirs" }));
        await IdAsync(await other.Client.PostAsJsonAsync("/v1/calls", new { agentId = otherAgent, contact = new { phone = "+15550100002" } }));

        var calls = (await a.Client.GetFromJsonAsync<JsonElement>("/v1/calls")).GetProperty("items").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetGuid());
        Assert.Equal([first, second, third], calls.Keys.Order());
        var contact1 = calls[first].GetProperty("contactId").GetGuid();
        var contact2 = calls[second].GetProperty("contactId").GetGuid();
        Assert.Equal(contact2, calls[third].GetProperty("contactId").GetGuid());
        var startedThird = calls[third].GetProperty("startedAt").GetDateTimeOffset();

        async Task<Guid[]> ListAsync(string query)
        {
            var response = await a.Client.GetAsync($"/v1/calls?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {await response.Content.ReadAsStringAsync()}");
            return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).Order()];
        }
        static string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

        Assert.Equal([first, third], await ListAsync($"agentId={agent1}"));
        Assert.Equal([second], await ListAsync($"agentId={agent2}"));
        Assert.Equal([first], await ListAsync($"contactId={contact1}"));
        Assert.Equal([second, third], await ListAsync($"contactId={contact2}"));
        Assert.Equal([first], await ListAsync("status=ended"));
        Assert.Equal([second, third], await ListAsync("status=active"));
        // from is inclusive and to exclusive: the third call's own start splits the list.
        Assert.Equal([third], await ListAsync($"from={At(startedThird)}"));
        Assert.Equal([first, second], await ListAsync($"to={At(startedThird)}"));
        Assert.Equal([third], await ListAsync($"agentId={agent1}&status=active"));
        Assert.Empty(await ListAsync($"agentId={otherAgent}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/v1/calls?status=paused")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync($"/v1/calls?from={At(startedThird)}&to={At(startedThird.AddSeconds(-1))}")).StatusCode);
    }
}
