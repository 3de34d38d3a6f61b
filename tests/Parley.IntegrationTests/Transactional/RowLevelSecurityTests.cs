using System.Net.Http.Json;
using Npgsql;
using Parley.Data;
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
            (await t.Client.PostAsJsonAsync("/v1/agents", new { name = "agent" })).EnsureSuccessStatusCode();
            (await t.Client.PostAsJsonAsync("/v1/contacts", new { phone = "+15550123" })).EnsureSuccessStatusCode();
            (await t.Client.PostAsJsonAsync("/v1/users", new { email = "x@example.com" })).EnsureSuccessStatusCode();
            (await t.Client.PostAsJsonAsync("/v1/integrations", new { kind = "crm", name = "crm" })).EnsureSuccessStatusCode();
        }

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
        var checkedWithRows = 0;
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
            if (aRows > 0 && bRows > 0)
            {
                checkedWithRows++;
            }
        }
        Assert.True(checkedWithRows >= 6, $"only {checkedWithRows} tables had rows of both tenants");
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
