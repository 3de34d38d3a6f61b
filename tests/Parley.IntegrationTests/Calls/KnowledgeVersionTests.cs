using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Calls.CallLog;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>Each turn records the tenant's knowledge version it was answered from, in its answer and in the call log.</summary>
public sealed class KnowledgeVersionTests(CallFixture api) : IClassFixture<CallFixture>
{
    /// <summary>The version as the knowledge side keeps it (read as the owner, in the platform scope).</summary>
    internal static async Task<long> StoredVersionAsync(string ownerConnectionString, Guid account)
    {
        await using var conn = new NpgsqlConnection(ownerConnectionString);
        await conn.OpenAsync();
        await using (var platform = new NpgsqlCommand("SELECT set_config('parley.platform', 'on', false)", conn))
        {
            await platform.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand("SELECT coalesce((SELECT version FROM knowledge_tenant_stats WHERE account_id = $1), 0)", conn)
        {
            Parameters = { new() { Value = account } },
        };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> TurnAsync(HttpClient client, Guid call, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact(Timeout = 180_000)]
    public async Task A_turn_records_the_tenants_knowledge_version_which_moves_with_each_upload_and_delete_and_the_call_log_returns_it()
    {
        var a = await api.NewTenantAsync("Knowledge version");
        var agent = await CallTests.SetUpAsync(a.Client);
        var call = await CallTests.StartCallAsync(a.Client, agent);
        const string Question = "What time do you open on Sunday?";

        var v0 = await StoredVersionAsync(api.OwnerConnectionString, a.Id);
        Assert.True(v0 > 0, "ingesting the demo documents bumped the version");
        var searched = await TurnAsync(a.Client, call, Question);
        Assert.False(searched.GetProperty("cached").GetBoolean());
        Assert.Equal(v0, searched.GetProperty("knowledgeVersion").GetInt64());
        var cached = await TurnAsync(a.Client, call, Question);
        Assert.True(cached.GetProperty("cached").GetBoolean());
        Assert.Equal(v0, cached.GetProperty("knowledgeVersion").GetInt64());

        var upload = await a.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Winter", text = "In winter we open at noon on Sundays." });
        upload.EnsureSuccessStatusCode();
        var doc = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documentId").GetGuid();
        var v1 = await StoredVersionAsync(api.OwnerConnectionString, a.Id);
        Assert.True(v1 > v0);
        var afterUpload = await TurnAsync(a.Client, call, Question);
        Assert.False(afterUpload.GetProperty("cached").GetBoolean());
        Assert.Equal(v1, afterUpload.GetProperty("knowledgeVersion").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.DeleteAsync($"/v1/knowledge/documents/{doc}")).StatusCode);
        var v2 = await StoredVersionAsync(api.OwnerConnectionString, a.Id);
        Assert.True(v2 > v1);
        var afterDelete = await TurnAsync(a.Client, call, Question);
        Assert.Equal(v2, afterDelete.GetProperty("knowledgeVersion").GetInt64());

        using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(flush.Token);
        var logged = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        var versions = logged.GetProperty("turns").EnumerateArray().OrderBy(t => t.GetProperty("ordinal").GetInt32())
            .Select(t => t.GetProperty("knowledgeVersion").GetInt64()).ToArray();
        Assert.Equal(new[] { v0, v0, v1, v2 }, versions);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_tenant_with_no_knowledge_answers_from_version_zero_and_another_tenants_upload_does_not_move_it()
    {
        var empty = await api.NewTenantAsync("No knowledge");
        var agent = (await (await empty.Client.PostAsJsonAsync("/v1/agents", new { name = "Bare" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var call = await CallTests.StartCallAsync(empty.Client, agent);
        Assert.Equal(0, (await TurnAsync(empty.Client, call, "Do you deliver?")).GetProperty("knowledgeVersion").GetInt64());

        var other = await api.NewTenantAsync("Other knowledge");
        (await other.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Delivery", text = "We deliver within two miles." })).EnsureSuccessStatusCode();
        Assert.True(await StoredVersionAsync(api.OwnerConnectionString, other.Id) > 0);
        Assert.Equal(0, (await TurnAsync(empty.Client, call, "Do you deliver?")).GetProperty("knowledgeVersion").GetInt64());
    }
}
