using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data.Writers;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.BadInput;

/// <summary>
/// Two tenants with one of everything (agent, contact, call, document, job, API key), so the
/// catalogue can aim at real ids of the caller's own account and of the other one, plus a revoked key.
/// </summary>
public sealed class CatalogueFixture : ApiFixture
{
    public HttpClient A { get; private set; } = null!;
    public string RevokedKey { get; private set; } = "";
    public Dictionary<string, string> Ids { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var a = await NewTenantAsync("Catalogue A");
        var b = await NewTenantAsync("Catalogue B");
        A = a.Client;
        foreach (var (name, tenant) in new[] { ("A", a.Client), ("B", b.Client) })
        {
            Ids[$"agent{name}"] = await IdAsync(tenant, "/v1/agents", new { name = $"Agent {name}" });
            Ids[$"contact{name}"] = await IdAsync(tenant, "/v1/contacts", new { phone = "+15550100123", name = "Caller" });
            Ids[$"call{name}"] = await IdAsync(tenant, "/v1/calls", new { agentId = Ids[$"agent{name}"] });
            Ids[$"doc{name}"] = await IdAsync(tenant, "/v1/knowledge/documents", new { title = $"Doc {name}", text = "The terrace opens at noon." }, "documentId");
            Ids[$"job{name}"] = await IdAsync(tenant, "/v1/knowledge/documents?async=true", new { title = $"Job {name}", text = "Queued text." }, "jobId");
            // Let the server's worker finish the job now, so no row appears while the catalogue counts.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await tenant.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{Ids[$"job{name}"]}")).GetProperty("status").GetString() != "succeeded")
            {
                Assert.True(DateTime.UtcNow < deadline, "the setup's ingestion job did not finish");
                await Task.Delay(100);
            }
        }
        var key = await (await A.PostAsJsonAsync("/v1/api-keys", new { name = "to revoke" })).Content.ReadFromJsonAsync<JsonElement>();
        RevokedKey = key.GetProperty("key").GetString()!;
        (await A.DeleteAsync($"/v1/api-keys/{key.GetProperty("apiKey").GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        var bKey = await (await b.Client.PostAsJsonAsync("/v1/api-keys", new { name = "B's" })).Content.ReadFromJsonAsync<JsonElement>();
        Ids["keyB"] = bKey.GetProperty("apiKey").GetProperty("id").GetString()!;
    }

    private static async Task<string> IdAsync(HttpClient client, string path, object body, string property = "id")
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).GetString()!;
    }

    /// <summary>Every table under row-level security (the tenant tables).</summary>
    private async Task<List<string>> TenantTablesAsync(NpgsqlDataSource su)
    {
        var tables = new List<string>();
        await using var cmd = su.CreateCommand("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity ORDER BY 1");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }
        Assert.True(tables.Count >= 10, $"only {tables.Count} tenant tables found");
        return tables;
    }

    /// <summary>Row counts of every tenant table, read as superuser.</summary>
    public async Task<Dictionary<string, long>> TenantRowCountsAsync()
    {
        await using var su = CreateSuperuserDataSource();
        var tables = await TenantTablesAsync(su);
        await using var batch = su.CreateBatch();
        foreach (var t in tables)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT count(*) FROM \"{t}\""));
        }
        var counts = new Dictionary<string, long>();
        await using var rows = await batch.ExecuteReaderAsync();
        foreach (var t in tables)
        {
            await rows.ReadAsync();
            counts[t] = rows.GetInt64(0);
            await rows.NextResultAsync();
        }
        return counts;
    }

    /// <summary>
    /// What every tenant table holds, as its row count and a checksum of its rows, read as superuser:
    /// an UPDATE leaves the counts alone but not the checksum. Columns that a legitimate request moves
    /// (a key's last use) are left out. Waits first for the background writers (call log, search
    /// records), so a record queued by an earlier request does not land between two readings.
    /// </summary>
    public async Task<Dictionary<string, string>> TenantTableContentsAsync()
    {
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            foreach (var writer in App.Services.GetServices<IRecordWriter>())
            {
                while (writer.Backlog > 0)
                {
                    Assert.False(deadline.IsCancellationRequested, $"the {writer.Name} writer did not drain: {writer.Backlog} left");
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        }
        await using var su = CreateSuperuserDataSource();
        var tables = await TenantTablesAsync(su);
        await using var batch = su.CreateBatch();
        foreach (var t in tables)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(r, ',' ORDER BY r)), '') FROM (SELECT (to_jsonb(x) - ARRAY[{string.Join(", ", Volatile.Select(v => $"'{v}'"))}])::text AS r FROM \"{t}\" x) y"));
        }
        var contents = new Dictionary<string, string>();
        await using var rows = await batch.ExecuteReaderAsync();
        foreach (var t in tables)
        {
            await rows.ReadAsync();
            contents[t] = rows.GetString(0);
            await rows.NextResultAsync();
        }
        return contents;
    }

    /// <summary>Columns a request may move without changing anything a tenant owns.</summary>
    private static readonly string[] Volatile = ["last_used_at"];
}
