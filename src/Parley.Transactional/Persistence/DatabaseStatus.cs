using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;

namespace Parley.Transactional.Persistence;

/// <summary>What <c>GET /health</c> reports of the database.</summary>
public sealed record DatabaseStatusReport(bool Reachable, string? PgvectorVersion, int PendingMigrations, string? Error);

/// <summary>Reads the database's state for health checks, through the vector pool (one cheap round trip).</summary>
public sealed class DatabaseStatus([FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource, IServiceScopeFactory scopes)
{
    public async Task<DatabaseStatusReport> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
            var version = await cmd.ExecuteScalarAsync(cancellationToken) as string;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return new DatabaseStatusReport(true, version, pending, null);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new DatabaseStatusReport(false, null, 0, e.Message);
        }
    }
}
