using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Domain;
using Parley.IntegrationTests.Transactional;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.IntegrationTests.Faults;

public sealed class CallLogRetryTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_batch_retried_after_its_commit_went_through_adds_only_what_is_missing()
    {
        var a = await api.NewTenantAsync();
        var agent = (await (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "Log" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = (await (await a.Client.PostAsJsonAsync("/v1/calls", new { agentId = agent })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var account = new AccountId(a.Id);
        var now = DateTimeOffset.UtcNow;
        CallTurn Turn(Guid id, int ordinal) => new() { AccountId = account, Id = id, CallId = call, Ordinal = ordinal, Transcript = $"q{ordinal}", Answer = "a", CreatedAt = now };
        UsageRecord Usage(Guid id) => new() { AccountId = account, Id = id, Kind = BillingService.LlmTokens, Quantity = 3, OccurredAt = now, CallId = call };
        Guid t1 = Guid.CreateVersion7(), t2 = Guid.CreateVersion7(), u1 = Guid.CreateVersion7();
        var store = api.App.Services.GetRequiredService<CallLogStore>();

        // The first write commits (its acknowledgement "lost"); the retry carries the same rows and one more.
        await store.AppendAsync([Turn(t1, 0)], [Usage(u1)], CancellationToken.None);
        await store.AppendAsync([Turn(t1, 0), Turn(t2, 1)], [Usage(u1)], CancellationToken.None);

        await using var su = api.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT (SELECT count(*) FROM call_turns WHERE call_id = $1), (SELECT count(*) FROM usage_records WHERE call_id = $1 AND kind = $2)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = call });
        cmd.Parameters.Add(new NpgsqlParameter { Value = BillingService.LlmTokens });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(2L, reader.GetInt64(0));
        Assert.Equal(1L, reader.GetInt64(1));
    }
}
