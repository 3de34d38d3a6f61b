using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Calls.CallLog;
using Parley.Data;
using Parley.Data.Writers;
using Parley.Domain;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

/// <summary>Defence in depth: a query that forgets its tenant filter still sees only the caller's rows.</summary>
public sealed class RowLevelSecurityTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Every_tenant_table_forces_row_level_security_and_an_unfiltered_select_returns_only_the_callers_rows()
    {
        var a = await api.NewTenantAsync("RLS A");
        var b = await api.NewTenantAsync("RLS B");
        foreach (var t in new[] { a, b })
        {
            await SeedAsync(t.Id, t.Client);
        }
        await WrittenAsync();
        await using var su = api.CreateSuperuserDataSource();
        var tables = new List<(string Table, string Column, bool Rls, bool Forced)>();
        await using (var cmd = su.CreateCommand("""
            SELECT c.relname, a.attname, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND c.relispartition = false
              AND (a.attname = 'account_id' OR (c.relname = 'accounts' AND a.attname = 'id'))
            ORDER BY 1
            """))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3)));
            }
        }
        Assert.True(tables.Count >= 11, $"only {tables.Count} tenant tables found");
        Assert.All(tables, t => Assert.True(t.Rls && t.Forced, $"{t.Table} lacks forced row-level security"));

        await using var app = NpgsqlDataSource.Create(api.ConnectionString);
        var withoutBoth = new List<string>();
        foreach (var (table, column, _, _) in tables)
        {
            await using var suCount = su.CreateCommand($"SELECT count(*) FILTER (WHERE {column} = $1), count(*) FILTER (WHERE {column} = $2) FROM {table}");
            suCount.Parameters.Add(new() { Value = a.Id });
            suCount.Parameters.Add(new() { Value = b.Id });
            long aRows, bRows;
            await using (var r = await suCount.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                (aRows, bRows) = (r.GetInt64(0), r.GetInt64(1));
            }

            // Through the helper every raw query uses: its transaction carries the tenant, the query filters nothing.
            await using var tx = await app.ForTenant(new AccountId(a.Id)).BeginTransactionAsync(CancellationToken.None);
            await using var q = tx.CreateCommand($"SELECT count(*), count(*) FILTER (WHERE {column} <> $1) FROM {table}");
            q.Parameters.Add(new() { Value = a.Id });
            await using var rr = await q.ExecuteReaderAsync();
            await rr.ReadAsync();
            Assert.Equal(aRows, rr.GetInt64(0));
            Assert.Equal(0, rr.GetInt64(1));
            if (aRows == 0 || bRows == 0)
            {
                withoutBoth.Add($"{table} ({aRows} of A, {bRows} of B)");
            }
        }
        // Otherwise the check compares 0 with 0 for that table and proves nothing.
        Assert.True(withoutBoth.Count == 0, $"tables without rows of both tenants: {string.Join(", ", withoutBoth)}");
    }

    /// <summary>A row of the tenant in every tenant table: through the API where it writes one, else as superuser.</summary>
    private async Task SeedAsync(Guid account, HttpClient client)
    {
        static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> request)
        {
            var response = await request;
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var agent = (await OkAsync(client.PostAsJsonAsync("/v1/agents", new { name = "agent" }))).GetProperty("id").GetGuid();
        await OkAsync(client.PostAsJsonAsync("/v1/contacts", new { phone = "+15550123" }));
        await OkAsync(client.PostAsJsonAsync("/v1/users", new { email = "x@example.com" }));
        await OkAsync(client.PostAsJsonAsync("/v1/integrations", new { kind = "crm", name = "crm" }));
        await OkAsync(client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text = "We open at nine every morning." }));
        var job = (await OkAsync(client.PostAsJsonAsync("/v1/knowledge/documents?async=true", new { title = "Queued", text = "The bar closes at midnight." }))).GetProperty("jobId").GetGuid();
        await OkAsync(client.PostAsJsonAsync("/v1/knowledge/search", new { query = "when do you open" }));
        var call = (await OkAsync(client.PostAsJsonAsync("/v1/calls", new { agentId = agent, contact = new { phone = "+15550124" } }))).GetProperty("id").GetGuid();
        await OkAsync(client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "When do you open?" }));
        await OkAsync(client.PostAsync($"/v1/calls/{call}/end", null));
        var invoice = (await OkAsync(client.PostAsJsonAsync("/v1/invoices", new { periodStart = DateTimeOffset.UtcNow.AddDays(-1), periodEnd = DateTimeOffset.UtcNow.AddDays(1) }))).GetProperty("id").GetGuid();
        // Payments are the platform's to record: the admin key acting for the account.
        var platform = api.Admin;
        platform.DefaultRequestHeaders.Add("X-Parley-Account", account.ToString());
        await OkAsync(platform.PostAsJsonAsync($"/v1/invoices/{invoice}/payments", new { amount = 1m, status = "pending" }));
        // Alerts are raised by the monitor and dead letters by a refused record: written here as the database would hold them.
        await using var su = api.CreateSuperuserDataSource();
        foreach (var sql in new[]
        {
            "INSERT INTO alerts (account_id, id, type, severity, message, raised_at) VALUES ($1, gen_random_uuid(), 'HIGH_LATENCY', 'warning', 'seeded', now())",
            "INSERT INTO dead_letters (account_id, id, kind, payload, error, created_at) VALUES ($1, gen_random_uuid(), 'call_turn', '{}', 'seeded', now())",
        })
        {
            await using var cmd = su.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = account });
            await cmd.ExecuteNonQueryAsync();
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await client.GetFromJsonAsync<JsonElement>($"/v1/knowledge/jobs/{job}")).GetProperty("status").GetString() != "succeeded")
        {
            Assert.False(deadline.IsCancellationRequested, "the seeding job did not finish");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>The call log and the search records are written off the request path: wait until they are.</summary>
    private async Task WrittenAsync()
    {
        using (var flush = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(flush.Token);
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var writer in api.App.Services.GetServices<IRecordWriter>())
        {
            while (writer.Backlog > 0)
            {
                Assert.False(deadline.IsCancellationRequested, $"the {writer.Name} writer did not drain");
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Without_a_tenant_the_application_sees_no_tenant_rows_at_all()
    {
        var a = await api.NewTenantAsync("Nobody sees me");
        (await a.Client.PostAsJsonAsync("/v1/agents", new { name = "hidden" })).EnsureSuccessStatusCode();
        await using var app = NpgsqlDataSource.Create(api.ConnectionString);
        await using var cmd = app.CreateCommand("SELECT (SELECT count(*) FROM agents) + (SELECT count(*) FROM accounts)");
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }
}
