using Medallion.Threading.Postgres;
using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// Picks one leader among server processes for a tick of a <see cref="SingletonJob"/>: a session-level
/// <c>pg_try_advisory_lock</c> (through DistributedLock.Postgres) taken on the very connection the
/// job then works on. A lock that is lost is lost with its connection, so the job's own statements
/// fail with it and no second leader ever works beside a first that still runs.
/// </summary>
public static class LeaderElection
{
    /// <summary>
    /// The lock and a connection carrying <paramref name="scope"/> (session level) when this process
    /// leads; null, at once, when another process holds the lock.
    /// </summary>
    public static async Task<Leadership?> TryLeadAsync(this NpgsqlDataSource dataSource, SingletonJob job, TenantScope scope, CancellationToken cancellationToken)
    {
        var connection = await PlatformDataSources.For(dataSource, scope).OpenConnectionAsync(cancellationToken);
        PostgresDistributedLockHandle? handle;
        try
        {
            handle = await new PostgresDistributedLock(new PostgresAdvisoryLockKey((long)job), connection)
                .TryAcquireAsync(TimeSpan.Zero, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        if (handle is null)
        {
            await connection.DisposeAsync();
            return null;
        }
        var leadership = new Leadership(connection, handle);
        try
        {
            await TenantSql.ApplyAsync(connection, scope, transactionLocal: false, cancellationToken);
            return leadership;
        }
        catch
        {
            await leadership.DisposeAsync();
            throw;
        }
    }
}
