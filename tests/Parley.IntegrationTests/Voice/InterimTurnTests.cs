using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.Interim;
using Parley.Domain;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Voice;

/// <summary>Generous budgets (the machine is shared), and small interim limits the flood test can reach.</summary>
public sealed class InterimFixture : ApiFixture
{
    public const int PerAccount = 3;
    public const int PerNode = 5;
    public const int PerCall = 2;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Calls:SearchBudgetMs"] = "3000",
        ["Parley:Calls:LlmBudgetMs"] = "3000",
        ["Parley:Calls:TtsBudgetMs"] = "5000",
        ["Parley:Calls:TurnBudgetMs"] = "10000",
        ["Parley:Calls:InterimMaxCallsPerAccount"] = PerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Calls:InterimMaxCalls"] = PerNode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Calls:InterimPrefetchesPerCall"] = PerCall.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Longer than the class takes: the flood test counts what is held, which the TTL would thin out.
        ["Parley:Calls:InterimPrefetchSeconds"] = "600",
    };

    public InterimPrefetches Prefetches => App.Services.GetRequiredService<InterimPrefetches>();
}

/// <summary>
/// <c>POST /v1/calls/{id}/turns/interim</c> and the final turn's <c>prefetch</c> stage, on the real server
/// and database: what is reused, what is not, and what one tenant can neither see nor fill.
/// </summary>
public sealed class InterimTurnTests(InterimFixture api) : IClassFixture<InterimFixture>
{
    private static async Task<JsonElement> InterimAsync(HttpClient client, Guid call, string text, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns/interim", new { transcript = text });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits, with a deadline, until no prefetch of this server runs or waits.</summary>
    private async Task SettledAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (api.Prefetches.Running > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "prefetches still running after 60 s");
            await Task.Delay(20);
        }
    }

    private async Task<(HttpClient Client, Guid Agent)> TenantAsync(string name)
    {
        var tenant = await api.NewTenantAsync(name);
        return (tenant.Client, await CallTests.SetUpAsync(tenant.Client));
    }

    [Fact(Timeout = 180_000)]
    public async Task An_interim_of_the_same_words_gives_the_final_turn_its_passages_with_no_embedding_and_no_search()
    {
        var tenant = await api.NewTenantAsync("Interim exact");
        var client = tenant.Client;
        var agent = await CallTests.SetUpAsync(client);
        var call = await CallTests.StartCallAsync(client, agent);
        var accepted = await InterimAsync(client, call, "is there parking near the restaurant");
        Assert.True(accepted.GetProperty("started").GetBoolean(), accepted.ToString());
        // The recogniser says it again: nothing more to do.
        Assert.Equal(InterimOutcome.Duplicate, (await InterimAsync(client, call, "Is there parking near the restaurant")).GetProperty("reason").GetString());
        await SettledAsync();

        var turn = await TurnAsync(client, call, "Is there parking near the restaurant?");
        Assert.True(turn.GetProperty("prefetched").GetBoolean(), turn.ToString());
        Assert.Equal("exact", turn.GetProperty("prefetchMatch").GetString());
        Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
        Assert.Contains("Pier Road", turn.GetProperty("answer").GetString());
        var timings = turn.GetProperty("timings");
        Assert.Equal(0, timings.GetProperty("searchMs").GetDouble());
        Assert.Equal(0, timings.GetProperty("embedMs").GetDouble());
        Assert.True(timings.GetProperty("prefetchMs").GetDouble() > 0, timings.ToString());
        Assert.Empty(turn.GetProperty("degraded").EnumerateArray());
        // The final turn took the call's prefetches: the next utterance starts afresh.
        Assert.Equal(0, api.Prefetches.HeldCallsOf(new AccountId(tenant.Id)));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_close_final_turn_reuses_the_interim_by_its_vector_and_an_unrelated_one_searches()
    {
        var (client, agent) = await TenantAsync("Interim similar");
        var call = await CallTests.StartCallAsync(client, agent);
        await InterimAsync(client, call, "How much is the corkage fee");
        await SettledAsync();
        var close = await TurnAsync(client, call, "How much is the corkage fee please?");
        Assert.True(close.GetProperty("prefetched").GetBoolean(), close.ToString());
        Assert.Equal("similar", close.GetProperty("prefetchMatch").GetString());
        Assert.Equal("Drinks and wine", close.GetProperty("sources")[0].GetProperty("title").GetString());
        var timings = close.GetProperty("timings");
        Assert.Equal(0, timings.GetProperty("searchMs").GetDouble());
        // The final's vector was needed to compare (and for the answer cache).
        Assert.True(timings.GetProperty("embedMs").GetDouble() > 0, timings.ToString());

        await InterimAsync(client, call, "Can I bring my dog");
        await SettledAsync();
        var unrelated = await TurnAsync(client, call, "Do you sell gift cards?");
        Assert.False(unrelated.GetProperty("prefetched").GetBoolean(), unrelated.ToString());
        Assert.False(unrelated.TryGetProperty("prefetchMatch", out _));
        Assert.True(unrelated.GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
        Assert.NotEqual("Terrace and dogs", unrelated.GetProperty("sources")[0].GetProperty("title").GetString());
    }

    [Fact(Timeout = 180_000)]
    public async Task An_interim_of_a_follow_up_is_rewritten_from_the_last_turn_as_the_final_is_and_reused()
    {
        var tenant = await api.NewTenantAsync("Interim follow-up");
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        await TurnAsync(tenant.Client, call, "What time do you open on Sunday?");
        await InterimAsync(tenant.Client, call, "and on Saturday");
        await SettledAsync();
        var turn = await TurnAsync(tenant.Client, call, "And on Saturday?");
        Assert.True(turn.TryGetProperty("standaloneQuery", out var standalone), turn.ToString());
        Assert.Contains("Saturday", standalone.GetString());
        Assert.True(turn.GetProperty("prefetched").GetBoolean(), turn.ToString());
        Assert.Equal("exact", turn.GetProperty("prefetchMatch").GetString());
        Assert.Equal(0, turn.GetProperty("timings").GetProperty("searchMs").GetDouble());
    }

    [Fact(Timeout = 180_000)]
    public async Task A_prefetch_taken_before_a_document_was_deleted_is_not_used()
    {
        var (client, agent) = await TenantAsync("Interim delete");
        var extra = await client.PostAsJsonAsync("/v1/knowledge/documents",
            new { title = "Valet service", text = "Valet parking costs fifteen dollars; hand your keys to the valet at the door." });
        var doc = (await extra.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documentId").GetGuid();
        var call = await CallTests.StartCallAsync(client, agent);
        const string question = "How much does valet parking cost?";
        Assert.True((await InterimAsync(client, call, question)).GetProperty("started").GetBoolean());
        await SettledAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/knowledge/documents/{doc}")).StatusCode);
        var turn = await TurnAsync(client, call, question);
        Assert.False(turn.GetProperty("prefetched").GetBoolean(), turn.ToString());
        Assert.True(turn.GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
        Assert.DoesNotContain(turn.GetProperty("sources").EnumerateArray(), s => s.GetProperty("title").GetString() == "Valet service");
    }

    [Fact(Timeout = 180_000)]
    public async Task Another_tenants_call_is_not_found_and_its_prefetches_never_reach_another_account()
    {
        var owner = await api.NewTenantAsync("Interim owner");
        var a = owner.Client;
        var agentA = await CallTests.SetUpAsync(a);
        var b = await api.NewTenantAsync("Interim stranger");
        var agentB = await CallTests.SetUpAsync(b.Client, agent: new { name = "Empty shelf", topK = 3, minSimilarity = 0.25 });
        var callA = await CallTests.StartCallAsync(a, agentA);
        const string question = "Is the restaurant wheelchair accessible?";
        await InterimAsync(a, callA, question);

        var stranger = await b.Client.PostAsJsonAsync($"/v1/calls/{callA}/turns/interim", new { transcript = question });
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.PostAsJsonAsync($"/v1/calls/{callA}/turns", new { transcript = question })).StatusCode);
        await SettledAsync();

        // B's own call, the same words: B's turn searches B's knowledge, never A's prefetch.
        var callB = await CallTests.StartCallAsync(b.Client, agentB);
        var turnB = await TurnAsync(b.Client, callB, question);
        Assert.False(turnB.GetProperty("prefetched").GetBoolean(), turnB.ToString());
        Assert.Equal(1, api.Prefetches.HeldCallsOf(new AccountId(owner.Id)));
        Assert.Equal(0, api.Prefetches.HeldCallsOf(new AccountId(b.Id)));
        var turnA = await TurnAsync(a, callA, question);
        Assert.True(turnA.GetProperty("prefetched").GetBoolean(), turnA.ToString());
    }

    [Fact(Timeout = 180_000)]
    public async Task An_interim_on_an_ended_call_is_a_conflict_and_ending_a_call_drops_its_prefetches()
    {
        var tenant = await api.NewTenantAsync("Interim ended");
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        var empty = await InterimAsync(tenant.Client, call, "  ", HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("transcript", out _), empty.ToString());
        await InterimAsync(tenant.Client, call, "Do you have vegan options");
        Assert.Equal(1, api.Prefetches.HeldCallsOf(new AccountId(tenant.Id)));

        (await tenant.Client.PostAsync($"/v1/calls/{call}/end", null)).EnsureSuccessStatusCode();
        Assert.Equal(0, api.Prefetches.HeldCallsOf(new AccountId(tenant.Id)));
        var ended = await InterimAsync(tenant.Client, call, "Do you have vegan options", HttpStatusCode.Conflict);
        Assert.Equal(409, ended.GetProperty("status").GetInt32());
        await SettledAsync();
        Assert.Equal(0, api.Prefetches.HeldCallsOf(new AccountId(tenant.Id)));
    }

    [Fact(Timeout = 240_000)]
    public async Task A_flood_of_interims_from_one_tenant_stays_within_its_limits_and_another_tenants_turn_still_uses_its_prefetch()
    {
        var flood = await api.NewTenantAsync("Interim flood");
        var agent = await CallTests.SetUpAsync(flood.Client);
        var outcomes = new List<JsonElement>();
        var calls = new List<(HttpClient Client, Guid Call)>();
        for (var c = 0; c < PerAccountCalls; c++)
        {
            var call = await CallTests.StartCallAsync(flood.Client, agent);
            calls.Add((flood.Client, call));
            foreach (var words in new[] { "What time", "What time do you", "What time do you open", "What time do you open on Sunday" })
            {
                outcomes.Add(await InterimAsync(flood.Client, call, words));
            }
        }
        var refused = outcomes.Where(o => !o.GetProperty("started").GetBoolean()).ToList();
        Assert.All(refused, o => Assert.Equal(InterimOutcome.AccountLimit, o.GetProperty("reason").GetString()));
        Assert.Equal((PerAccountCalls - InterimFixture.PerAccount) * 4, refused.Count);
        Assert.Equal(InterimFixture.PerAccount, api.Prefetches.HeldCallsOf(new AccountId(flood.Id)));
        await SettledAsync();
        Assert.InRange(api.Prefetches.HeldEntries, 1, InterimFixture.PerAccount * InterimFixture.PerCall);

        var (other, otherAgent) = await TenantAsync("Interim neighbour");
        var otherCall = await CallTests.StartCallAsync(other, otherAgent);
        Assert.True((await InterimAsync(other, otherCall, "Can I bring my dog")).GetProperty("started").GetBoolean());
        await SettledAsync();
        var turn = await TurnAsync(other, otherCall, "Can I bring my dog?");
        Assert.True(turn.GetProperty("prefetched").GetBoolean(), turn.ToString());
        Assert.Equal("Terrace and dogs", turn.GetProperty("sources")[0].GetProperty("title").GetString());

        // The node's own limit: the flood's three calls and two more of a third tenant fill it; the next is refused.
        var third = await api.NewTenantAsync("Interim third");
        var thirdAgent = await CallTests.SetUpAsync(third.Client, agent: new { name = "Third", topK = 3, minSimilarity = 0.25 });
        var reasons = new List<string?>();
        for (var c = 0; c < InterimFixture.PerNode - InterimFixture.PerAccount + 1; c++)
        {
            var call = await CallTests.StartCallAsync(third.Client, thirdAgent);
            calls.Add((third.Client, call));
            var outcome = await InterimAsync(third.Client, call, "Do you deliver");
            reasons.Add(outcome.GetProperty("started").GetBoolean() ? null : outcome.GetProperty("reason").GetString());
        }
        Assert.Equal([null, null, InterimOutcome.NodeLimit], reasons);
        Assert.Equal(InterimFixture.PerNode, api.Prefetches.HeldCalls);
        await SettledAsync();
        // Ending the calls frees the node for the class's other tests.
        foreach (var (client, call) in calls)
        {
            (await client.PostAsync($"/v1/calls/{call}/end", null)).EnsureSuccessStatusCode();
        }
        Assert.Equal(0, api.Prefetches.HeldCalls);
    }

    private const int PerAccountCalls = InterimFixture.PerAccount + 2;
}
