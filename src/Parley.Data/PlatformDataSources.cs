using System.Runtime.CompilerServices;
using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// Platform-wide work (index maintenance, the monitor, the sweeper, admin views, key look-ups) is not
/// done on the server's own pools: row-level security honours <c>parley.platform</c> only for a member
/// of the schema owner's role (migration <c>PlatformNeedsOwner</c>), which the server's role is not, so a
/// tenant session that sets it still sees only its own rows. Each pool knows its platform twin, a pool
/// of the owner's connections; <see cref="TenantDb"/> and <see cref="LeaderElection"/> route a platform
/// scope there, so no caller chooses (or can forget to choose) the pool. A pool without a twin (one role
/// for everything, or a data source a test built) serves the platform scope itself.
/// </summary>
public static class PlatformDataSources
{
    private static readonly ConditionalWeakTable<NpgsqlDataSource, NpgsqlDataSource> Twins = new();

    /// <summary>Makes <paramref name="platform"/> serve the platform scope of <paramref name="pool"/>.</summary>
    public static void Pair(NpgsqlDataSource pool, NpgsqlDataSource platform) => Twins.AddOrUpdate(pool, platform);

    /// <summary>The pool that serves <paramref name="scope"/> for work asked of <paramref name="pool"/>.</summary>
    public static NpgsqlDataSource For(NpgsqlDataSource pool, TenantScope scope) =>
        scope.IsPlatform && Twins.TryGetValue(pool, out var platform) ? platform : pool;
}
