using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// A follow-up ("And what about on Sundays?") means something different in each conversation: it is
/// searched as a standalone query built from the turn before it, and an answer that depended on one
/// conversation is never served to another from the answer cache.
/// </summary>
public sealed class FollowUpTests(CallFixture api) : IClassFixture<CallFixture>
{
    private const string FollowUp = "And what about on Sundays?";

    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Title(JsonElement turn) => turn.GetProperty("sources")[0].GetProperty("title").GetString()!;

    [Fact]
    public async Task The_same_follow_up_in_two_calls_is_answered_from_each_calls_own_topic_not_from_the_other_calls_cache()
    {
        var a = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client);

        var brunchCall = await CallTests.StartCallAsync(a.Client, agent);
        Assert.Contains(Title(await TurnAsync(a.Client, brunchCall, "When do you serve brunch?")), new[] { "Weekend brunch", "Opening hours" });
        var brunchFollowUp = await TurnAsync(a.Client, brunchCall, FollowUp);
        Assert.Contains(brunchFollowUp.GetProperty("sources").EnumerateArray(), s => s.GetProperty("title").GetString() is "Weekend brunch" or "Opening hours");
        Assert.Contains("brunch", brunchFollowUp.GetProperty("standaloneQuery").GetString(), StringComparison.Ordinal);

        var dogCall = await CallTests.StartCallAsync(a.Client, agent);
        Assert.Equal("Terrace and dogs", Title(await TurnAsync(a.Client, dogCall, "Can I bring my dog?")));
        var dogFollowUp = await TurnAsync(a.Client, dogCall, FollowUp);

        Assert.False(dogFollowUp.GetProperty("cached").GetBoolean());
        Assert.Equal("Terrace and dogs", Title(dogFollowUp));
        Assert.Contains("dog", dogFollowUp.GetProperty("answer").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(brunchFollowUp.GetProperty("answer").GetString(), dogFollowUp.GetProperty("answer").GetString());

        // The standalone query is recorded with the turn, for the call page.
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var logged = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{dogCall}");
        var turns = logged.GetProperty("turns").EnumerateArray().OrderBy(t => t.GetProperty("ordinal").GetInt32()).ToList();
        Assert.False(turns[0].TryGetProperty("standaloneQuery", out _));
        Assert.Equal(dogFollowUp.GetProperty("standaloneQuery").GetString(), turns[1].GetProperty("standaloneQuery").GetString());
    }

    [Fact]
    public async Task A_rewritten_follow_up_is_served_from_the_cache_only_to_the_same_standalone_query()
    {
        var a = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(a.Client);
        var first = await CallTests.StartCallAsync(a.Client, agent);
        await TurnAsync(a.Client, first, "Can I bring my dog?");
        Assert.False((await TurnAsync(a.Client, first, FollowUp)).GetProperty("cached").GetBoolean());

        // Same conversation again: the same standalone query, so the cached answer is right for it.
        var second = await CallTests.StartCallAsync(a.Client, agent);
        await TurnAsync(a.Client, second, "Can I bring my dog?");
        Assert.True((await TurnAsync(a.Client, second, FollowUp)).GetProperty("cached").GetBoolean());

        // A close but different conversation: the cosine of the two standalone queries may pass the
        // similarity threshold, but the cached answer depended on its context and is not reused.
        var third = await CallTests.StartCallAsync(a.Client, agent);
        await TurnAsync(a.Client, third, "Can I bring my dogs?");
        Assert.False((await TurnAsync(a.Client, third, FollowUp)).GetProperty("cached").GetBoolean());
    }
}
