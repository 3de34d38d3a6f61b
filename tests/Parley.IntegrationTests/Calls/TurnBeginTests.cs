using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Transactional.Agents;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// A turn begins with one round trip that takes its ordinal and reads its call's agent and the tenant's knowledge
/// version (<see cref="CallHistory.BeginTurnAsync"/>); the agent read by hand must be the agent EF Core reads.
/// </summary>
public sealed class TurnBeginTests(CallFixture api) : IClassFixture<CallFixture>
{
    [Fact(Timeout = 180_000)]
    public async Task The_agent_a_turn_begins_with_is_the_stored_agent_field_by_field_and_an_edit_is_seen_by_the_next_turn()
    {
        var a = await api.NewTenantAsync("Turn begin");
        var agentId = await CallTests.SetUpAsync(a.Client, agent: new { name = "Begin", topK = 4, minSimilarity = 0.2 });
        var call = await CallTests.StartCallAsync(a.Client, agentId);
        (await a.Client.PatchAsJsonAsync($"/v1/agents/{agentId}", new
        {
            language = "es", systemPrompt = "Sé breve.", voice = "es", llmModel = "upstream-x", topK = 7, minSimilarity = 0.41, hybrid = true,
        })).EnsureSuccessStatusCode();
        var account = new AccountId(a.Id);
        var history = api.App.Services.GetRequiredService<CallHistory>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var slot = await history.BeginTurnAsync(account, call, deadline.Token);
        var stored = await StoredAsync(account, agentId, deadline.Token);

        Assert.NotNull(slot);
        Assert.NotNull(slot.Agent);
        foreach (var property in typeof(Agent).GetProperties())
        {
            Assert.True(Equals(property.GetValue(stored), property.GetValue(slot.Agent)),
                $"{property.Name}: EF read {property.GetValue(stored)}, the turn's read {property.GetValue(slot.Agent)}");
        }
        Assert.Equal(7, slot.Agent.TopK);
        Assert.True(slot.Agent.Hybrid);
        Assert.Equal(await KnowledgeVersionTests.StoredVersionAsync(api.OwnerConnectionString, a.Id), slot.KnowledgeVersion);

        (await a.Client.PatchAsJsonAsync($"/v1/agents/{agentId}", new { topK = 2 })).EnsureSuccessStatusCode();
        var next = await history.BeginTurnAsync(account, call, deadline.Token);
        Assert.Equal(slot.Ordinal + 1, next!.Ordinal);
        Assert.Equal(2, next.Agent!.TopK);

        // Another tenant cannot begin this tenant's call, nor read its agent through it.
        var b = await api.NewTenantAsync("Turn begin, other");
        Assert.Null(await history.BeginTurnAsync(new AccountId(b.Id), call, deadline.Token));
        (await a.Client.PostAsync($"/v1/calls/{call}/end", null)).EnsureSuccessStatusCode();
        Assert.Null(await history.BeginTurnAsync(account, call, deadline.Token));
    }

    private async Task<Agent> StoredAsync(AccountId account, Guid agentId, CancellationToken cancellationToken)
    {
        await using var scope = api.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.For(account);
        return await scope.ServiceProvider.GetRequiredService<AgentService>().GetAsync(agentId, cancellationToken);
    }
}
