using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.LocalPostgres;
using Parley.Transactional.Persistence;

namespace Parley.Testing;

/// <summary>
/// A throwaway cluster of a test's own, for tests that stop, restart or replicate it (the shared
/// <see cref="TestPostgres"/> cluster serves every other test class at the same time, so it must
/// never go down). Same code as <c>./parley db start</c>, on a free port in a temp folder, migrated.
/// </summary>
public sealed class OwnCluster : IAsyncDisposable
{
    private OwnCluster(LocalCluster cluster, ClusterInfo info)
    {
        Cluster = cluster;
        Info = info;
    }

    public LocalCluster Cluster { get; }
    public ClusterInfo Info { get; }

    /// <summary>The application role's connection to the migrated database.</summary>
    public string ConnectionString => Info.AppConnectionString;

    /// <param name="durable">
    /// Keep synchronous commit and fsync on. A test that crashes the server needs it: with
    /// synchronous_commit off, a commit already acknowledged can still be in WAL buffers when the
    /// postmaster dies, and is lost (found by the primary-restart test: 1 of ~1 000 turns).
    /// </param>
    public static async Task<OwnCluster> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetTempPath(), $"parley-own-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var cluster = new LocalCluster(root, new ClusterSettings { Durable = durable, SharedBuffers = "128MB", MaintenanceWorkMem = "128MB", MaxConnections = 120, OwnerPassword = TestPostgres.OwnerPassword });
        var info = await cluster.EnsureStartedAsync(cancellationToken);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(root))
            {
                cluster.DestroyAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
        };
        var migrator = new DatabaseMigrator(Options.Create(new DatabaseOptions { ConnectionString = info.AppConnectionString, OwnerConnectionString = info.OwnerConnectionString }),
            TestPostgres.DefaultSchema, NullLogger<DatabaseMigrator>.Instance);
        await migrator.MigrateAsync(cancellationToken);
        return new OwnCluster(cluster, info);
    }

    /// <summary>A superuser data source on the primary (or on a standby's port).</summary>
    public NpgsqlDataSource Superuser(int? port = null) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Info.SuperuserConnectionString()) { Port = port ?? Info.Port, Pooling = false }.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Cluster.DestroyAsync(CancellationToken.None);
    }
}
