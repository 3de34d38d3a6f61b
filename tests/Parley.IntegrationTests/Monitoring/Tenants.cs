using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Parley.IntegrationTests.Monitoring;

/// <summary>What the monitoring tests do as a tenant: a small knowledge base, searches, calls and turns.</summary>
internal static class Tenants
{
    public static readonly string[] Questions =
    [
        "When is the bistro open on Sunday?", "Is there parking nearby?", "How much is corkage?",
        "Can I bring my dog to the terrace?", "Do you serve gluten-free bread?", "Where is the restaurant?",
    ];

    /// <summary>The question made unique to a test, so no earlier test has put its embedding in the shared cache.</summary>
    public static string Unique(string question, Guid tag) => $"{question} ({tag:N})";

    public static async Task SeedAsync(HttpClient client)
    {
        (string Title, string Text)[] docs =
        [
            ("Opening hours", "# Opening hours\nWe are open Tuesday to Sunday, 12:00 to 22:00. Sunday brunch is served from 10:00."),
            ("Parking", "# Parking\nFree parking is available behind the restaurant, and a public garage is two streets away."),
            ("Drinks", "# Drinks and wine\nCorkage is $25 per bottle. We serve local wines and craft beer."),
            ("Dogs", "# Terrace and dogs\nDogs are welcome on the terrace. Water bowls are provided."),
            ("Bread", "# Bread\nOur bread is baked daily; gluten-free bread is available on request."),
        ];
        foreach (var (title, text) in docs)
        {
            var response = await client.PostAsJsonAsync("/v1/knowledge/documents", new { title, text });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    public static async Task<JsonElement> SearchAsync(HttpClient client, string query)
    {
        var response = await client.PostAsJsonAsync("/v1/knowledge/search", new { query, topK = 3 });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<Guid> StartCallAsync(HttpClient client)
    {
        var agent = await client.PostAsJsonAsync("/v1/agents", new { name = "Receptionist", topK = 3, minSimilarity = 0.2 });
        Assert.True(agent.IsSuccessStatusCode, await agent.Content.ReadAsStringAsync());
        var agentId = (await agent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = await client.PostAsJsonAsync("/v1/calls", new { agentId, contact = new { phone = "+15550100777" }, direction = "in" });
        Assert.True(call.IsSuccessStatusCode, await call.Content.ReadAsStringAsync());
        return (await call.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string transcript)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
