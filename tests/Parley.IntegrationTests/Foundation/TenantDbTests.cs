using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Foundation;

/// <summary>The raw side's one way in: every form of <see cref="TenantDb"/> carries its scope, and only as long as it should.</summary>
public sealed class TenantDbTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private readonly AccountId _a = new(Guid.CreateVersion7());
    private readonly AccountId _b = new(Guid.CreateVersion7());
    private readonly string _name = $"tenantdb-{Guid.NewGuid():N}";

    // One physical connection each: what one borrower leaves on it, the next one finds. The platform
    // scope of _app's work goes to _owner's, as the server's pools send theirs to the owner's pool.
    private NpgsqlDataSource _app = null!;
    private NpgsqlDataSource _owner = null!;

    public async Task InitializeAsync()
    {
        _app = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        _owner = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.OwnerConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        PlatformDataSources.Pair(_app, _owner);
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand(
            "INSERT INTO accounts (id, name, plan, language, created_at, updated_at) SELECT unnest($1::uuid[]), $2, 'starter', 'english', now(), now()");
        cmd.Parameters.Add(new() { Value = new[] { _a.Value, _b.Value } });
        cmd.Parameters.Add(new() { Value = _name });
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _owner.DisposeAsync();
    }

    [Fact]
    public async Task A_tenant_batch_reader_starts_at_the_first_command_added_and_sees_only_the_tenants_rows()
    {
        await using var batch = _app.ForTenant(_a).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT id FROM accounts WHERE name = $1") { Parameters = { new() { Value = _name } } });
        var update = batch.Add(new NpgsqlBatchCommand("UPDATE accounts SET updated_at = now() WHERE name = $1") { Parameters = { new() { Value = _name } } });
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None))
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(_a.Value, reader.GetGuid(0));
            Assert.False(await reader.ReadAsync());
        }
        Assert.Equal(1, update.RecordsAffected);
        Assert.Equal(0L, await CountAsync(_app));
    }

    [Fact]
    public async Task A_session_scope_stays_with_its_connection_and_is_gone_when_the_pool_lends_it_again()
    {
        await using (var conn = await _app.ForTenant(TenantScope.Platform).OpenConnectionAsync(CancellationToken.None))
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM accounts WHERE name = $1", conn) { Parameters = { new() { Value = _name } } };
            Assert.Equal(2L, await cmd.ExecuteScalarAsync());
            Assert.Equal(2L, await cmd.ExecuteScalarAsync());
        }
        Assert.Equal(0L, await CountAsync(_owner));
        Assert.Equal(0L, await CountAsync(_app));
    }

    [Fact]
    public async Task A_tenant_transaction_scopes_its_statements_and_rolls_back_unless_committed()
    {
        await using (var tx = await _app.ForTenant(_b).BeginTransactionAsync(CancellationToken.None))
        {
            await using var select = tx.CreateCommand("SELECT id FROM accounts WHERE name = $1");
            select.Parameters.Add(new() { Value = _name });
            Assert.Equal(_b.Value, await select.ExecuteScalarAsync());
            await using var rename = tx.CreateCommand("UPDATE accounts SET name = 'renamed' WHERE name = $1");
            rename.Parameters.Add(new() { Value = _name });
            Assert.Equal(1, await rename.ExecuteNonQueryAsync());
        }
        Assert.Equal(0L, await CountAsync(_app));
        await using var su = db.CreateSuperuserDataSource();
        await using var left = su.CreateCommand("SELECT count(*) FROM accounts WHERE name = $1");
        left.Parameters.Add(new() { Value = _name });
        Assert.Equal(2L, await left.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Only_one_holder_leads_a_singleton_job_until_it_lets_go_or_its_connection_dies()
    {
        // Two pools stand for two server processes.
        await using var other = NpgsqlDataSource.Create(db.ConnectionString);
        var first = await _app.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, CancellationToken.None);
        Assert.NotNull(first);
        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM accounts WHERE name = $1", first.Connection) { Parameters = { new() { Value = _name } } })
        {
            Assert.Equal(2L, await cmd.ExecuteScalarAsync());
        }
        // Outside any transaction block, or the index maintainer's CREATE INDEX CONCURRENTLY could not run on it.
        await using (var concurrently = new NpgsqlCommand("DROP INDEX CONCURRENTLY IF EXISTS no_such_index", first.Connection))
        {
            await concurrently.ExecuteNonQueryAsync();
        }
        Assert.Null(await other.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, CancellationToken.None));
        await using (var elsewhere = await other.TryLeadAsync(SingletonJob.LatencyMonitor, TenantScope.None, CancellationToken.None))
        {
            Assert.NotNull(elsewhere);
        }
        await first.DisposeAsync();

        var second = await other.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Null(await _app.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, CancellationToken.None));
        await using (var su = db.CreateSuperuserDataSource())
        {
            await using var kill = su.CreateCommand("SELECT pg_terminate_backend($1)");
            kill.Parameters.Add(new() { Value = second.Connection.ProcessID });
            Assert.Equal(true, await kill.ExecuteScalarAsync());
        }
        // A session lock ends with its session: the next holder does not wait for the dead one to let go.
        await using (var third = await WaitForLeadAsync(_app))
        {
            Assert.NotNull(third);
        }
        await second.DisposeAsync();
    }

    private static async Task<Leadership?> WaitForLeadAsync(NpgsqlDataSource dataSource)
    {
        // The backend ends a moment after pg_terminate_backend returns.
        for (var i = 0; i < 100; i++)
        {
            if (await dataSource.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, CancellationToken.None) is { } leader)
            {
                return leader;
            }
            await Task.Delay(50);
        }
        return null;
    }

    /// <summary>What a plain connection of the pool sees: nothing, unless a scope leaked onto it.</summary>
    private async Task<long> CountAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM accounts WHERE name = $1");
        cmd.Parameters.Add(new() { Value = _name });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
