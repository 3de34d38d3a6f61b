using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Knowledge.Search;

/// <summary>
/// Builds a partial HNSW index for each tenant that crossed <c>LargeTenantChunks</c>, with CREATE INDEX
/// CONCURRENTLY so the tenant's searches and writes go on meanwhile (they use the exact scan until the
/// index is recorded). One process does it at a time: <see cref="LeaderElection"/> elects the builder.
/// </summary>
public sealed partial class TenantIndexMaintainer(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
    TenantPlanner planner,
    IOptions<KnowledgeOptions> options,
    TimeProvider time,
    ILogger<TenantIndexMaintainer> logger) : BackgroundService
{
    public static string IndexName(AccountId account) => $"knowledge_chunks_hnsw_{account.Value:N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogFailed(logger, e);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.IndexMaintenanceSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Builds the missing indexes now; returns the accounts that got one.</summary>
    public Task<IReadOnlyList<AccountId>> RunOnceAsync(CancellationToken cancellationToken) => RunOnceAsync(null, cancellationToken);

    /// <summary>Builds the missing indexes now, telling <paramref name="progress"/> after each; returns the accounts that got one.</summary>
    public async Task<IReadOnlyList<AccountId>> RunOnceAsync(IProgress<(int Built, int Due)>? progress, CancellationToken cancellationToken)
    {
        var built = new List<AccountId>();
        await using var leader = await dataSource.TryLeadAsync(SingletonJob.TenantIndexes, TenantScope.Platform, cancellationToken);
        if (leader is null)
        {
            return built;
        }
        var conn = leader.Connection;
        var due = new List<Guid>();
        await using (var cmd = new NpgsqlCommand("SELECT account_id FROM knowledge_tenant_stats WHERE chunk_count >= $1 AND hnsw_index IS NULL", conn)
        {
            Parameters = { new() { Value = (long)options.Value.LargeTenantChunks } },
        })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(reader.GetGuid(0));
            }
        }
        progress?.Report((0, due.Count));
        foreach (var id in due)
        {
            var account = new AccountId(id);
            var name = IndexName(account);
            LogBuilding(logger, name);
            await using (var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS {name}", conn) { CommandTimeout = 0 })
            {
                // A build that died half-way leaves an INVALID index behind: start over.
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var create = new NpgsqlCommand($"""
                CREATE INDEX CONCURRENTLY {name} ON knowledge_chunks
                USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)
                WHERE account_id = '{id:D}'::uuid
                """, conn) { CommandTimeout = 0 })
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = new NpgsqlCommand("UPDATE knowledge_tenant_stats SET hnsw_index = $2 WHERE account_id = $1", conn)
            {
                Parameters = { new() { Value = id }, new() { Value = name } },
            })
            {
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            planner.Invalidate(account);
            built.Add(account);
            progress?.Report((built.Count, due.Count));
        }
        return built;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Building the tenant HNSW index {Index}")]
    private static partial void LogBuilding(ILogger logger, string index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant index maintenance failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
