using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.LocalPostgres;
using Parley.Transactional.Persistence;

namespace Parley.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster with pgvector per test process, started by the same code as
/// <c>./parley db start</c> on a free port in a temp folder, migrated once into a template database.
/// Each test class clones the template (<c>CREATE DATABASE … TEMPLATE</c>, a file copy), so classes
/// never see each other's rows. The cluster is stopped and deleted when the process exits.
/// </summary>
public sealed class TestPostgres
{
    public static readonly VectorSchema DefaultSchema = new("all-MiniLM-L6-v2", 384);

    /// <summary>
    /// The owner role's password on every cluster this test process starts (this one and each
    /// <see cref="OwnCluster"/>), so the owner's credentials are one pair of settings,
    /// <c>Parley__Database__OwnerUsername</c> and <c>OwnerPassword</c>, put in this process's environment:
    /// every host a test builds, and every server process it starts, migrates and does platform work as
    /// the owner while serving as the application role, as a deployment does.
    /// </summary>
    public static readonly string OwnerPassword = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();

    static TestPostgres()
    {
        Environment.SetEnvironmentVariable("Parley__Database__OwnerUsername", ClusterInfo.OwnerUser);
        Environment.SetEnvironmentVariable("Parley__Database__OwnerPassword", OwnerPassword);
    }

    private static readonly Lazy<Task<TestPostgres>> Shared = new(StartAsync);
    private static int s_counter;

    private readonly LocalCluster _cluster;
    private readonly SemaphoreSlim _cloneLock = new(1, 1);

    private TestPostgres(LocalCluster cluster, ClusterInfo info)
    {
        _cluster = cluster;
        Info = info;
    }

    public ClusterInfo Info { get; }
    public LocalCluster Cluster => _cluster;

    public static Task<TestPostgres> GetAsync() => Shared.Value;

    private static async Task<TestPostgres> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"parley-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var cluster = new LocalCluster(root, new ClusterSettings { Durable = false, SharedBuffers = "256MB", MaintenanceWorkMem = "256MB", OwnerPassword = OwnerPassword });
        var info = await cluster.EnsureStartedAsync(CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DestroyAsync(CancellationToken.None).GetAwaiter().GetResult();
        var migrator = new DatabaseMigrator(Options.Create(new DatabaseOptions { ConnectionString = info.AppConnectionString, OwnerConnectionString = info.OwnerConnectionString }),
            DefaultSchema, NullLogger<DatabaseMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        NpgsqlConnection.ClearAllPools();
        return new TestPostgres(cluster, info);
    }

    /// <summary>A fresh, migrated database of its own; returns the application's connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? hint = null)
    {
        var name = $"t{Interlocked.Increment(ref s_counter)}_{(hint ?? "db").ToLowerInvariant()}";
        name = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        if (name.Length > 60)
        {
            name = name[..60];
        }
        // CREATE DATABASE … TEMPLATE fails if two clones copy the template at once.
        await _cloneLock.WaitAsync();
        try
        {
            await using var conn = new NpgsqlConnection(Info.SuperuserConnectionString("postgres"));
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE {ClusterInfo.Database} OWNER {ClusterInfo.OwnerUser}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        finally
        {
            _cloneLock.Release();
        }
        return new NpgsqlConnectionStringBuilder(Info.AppConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>The owner role's connection string to the database of <paramref name="appConnectionString"/> (any cluster of this process).</summary>
    public static string Owner(string appConnectionString) =>
        new NpgsqlConnectionStringBuilder(appConnectionString) { Username = ClusterInfo.OwnerUser, Password = OwnerPassword }.ConnectionString;

    /// <summary>A superuser connection string to the given database (for catalog checks and fault injection).</summary>
    public string Superuser(string appConnectionString) =>
        Info.SuperuserConnectionString(new NpgsqlConnectionStringBuilder(appConnectionString).Database!);
}
