using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Parley.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster in a folder of ours: <c>.parley/</c> for <c>./parley up</c>, a temp
/// folder for each test run. One code path for both, so tests run on exactly what users get.
/// </summary>
public sealed partial class LocalCluster
{
    private readonly string _root;
    private readonly ClusterSettings _settings;

    public LocalCluster(string root, ClusterSettings? settings = null)
    {
        _root = Path.GetFullPath(root);
        _settings = settings ?? new ClusterSettings();
    }

    public string Root => _root;
    public string DataDirectory => Path.Combine(_root, "pgdata");
    public string LogFile => Path.Combine(_root, "postgres.log");
    private string InfoFile => Path.Combine(_root, "cluster.json");

    public bool Exists => File.Exists(Path.Combine(DataDirectory, "PG_VERSION")) && File.Exists(InfoFile);

    public ClusterInfo Info => JsonSerializer.Deserialize<ClusterInfo>(File.ReadAllText(InfoFile))
        ?? throw new LocalClusterException($"{InfoFile} is unreadable; run ./parley db reset.");

    /// <summary>Creates the cluster when missing, starts it, and makes sure the role, database and extensions exist.</summary>
    public async Task<ClusterInfo> EnsureStartedAsync(CancellationToken cancellationToken)
    {
        var bin = PostgresBinaries.Find();
        if (!Exists)
        {
            await InitAsync(bin, cancellationToken);
        }
        var info = Info;
        if (info.OwnerPassword is null)
        {
            // A cluster of a Parley from before the owner role: the role is created at bootstrap below.
            info = info with { OwnerPassword = _settings.OwnerPassword ?? Secret() };
            await WriteInfoAsync(info, cancellationToken);
        }
        if (!await IsRunningAsync(cancellationToken))
        {
            if (!IsPortFree(info.Port))
            {
                // Someone else took our port since the last run: move, rather than fail.
                info = info with { Port = FreePort() };
                await WriteInfoAsync(info, cancellationToken);
                await RewritePortAsync(info.Port, cancellationToken);
            }
            await ProcessRunner.RunAsync(bin.PgCtl, ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start"], cancellationToken);
        }
        await BootstrapAsync(info, cancellationToken);
        await StartReplicasAsync(cancellationToken);
        return info;
    }

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return false;
        }
        try
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", DataDirectory, "status"], cancellationToken);
            return true;
        }
        catch (LocalClusterException)
        {
            return false;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var replica in Replicas)
        {
            await StopReplicaAsync(replica, cancellationToken);
        }
        if (await IsRunningAsync(cancellationToken))
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "stop"], cancellationToken);
        }
    }

    /// <summary>Stops the cluster and deletes its folder.</summary>
    public async Task DestroyAsync(CancellationToken cancellationToken)
    {
        await StopAsync(cancellationToken);
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task InitAsync(PostgresBinaries bin, CancellationToken cancellationToken)
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        Directory.CreateDirectory(_root);
        var info = new ClusterInfo(FreePort(), Secret(), Secret(), _settings.OwnerPassword ?? Secret());
        var pwFile = Path.Combine(_root, ".pw");
        await File.WriteAllTextAsync(pwFile, info.SuperuserPassword + "\n", cancellationToken);
        GiveToPostgres(_root);
        try
        {
            await ProcessRunner.RunAsync(bin.InitDb,
                ["-D", DataDirectory, "-U", ClusterInfo.Superuser, "--pwfile", pwFile, "--auth-host=scram-sha-256",
                 "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"], cancellationToken);
        }
        finally
        {
            File.Delete(pwFile);
        }
        var conf = Path.Combine(DataDirectory, "postgresql.auto.conf");
        await File.AppendAllLinesAsync(conf, _settings.ToConfigLines(info.Port), cancellationToken);
        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "pg_hba.conf"),
            ["host replication all 127.0.0.1/32 scram-sha-256"], cancellationToken);
        await WriteInfoAsync(info, cancellationToken);
    }

    private async Task RewritePortAsync(int port, CancellationToken cancellationToken)
    {
        var conf = Path.Combine(DataDirectory, "postgresql.auto.conf");
        var lines = (await File.ReadAllLinesAsync(conf, cancellationToken))
            .Where(l => !l.StartsWith("port = ", StringComparison.Ordinal))
            .Append($"port = {port}");
        await File.WriteAllLinesAsync(conf, lines, cancellationToken);
    }

    private async Task WriteInfoAsync(ClusterInfo info, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(InfoFile, JsonSerializer.Serialize(info), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(InfoFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>
    /// Two roles, neither superuser nor BYPASSRLS: the owner owns the database and every object in it
    /// and runs migrations; the application role serves requests, owns nothing and gets only the DML the
    /// migrator grants it, so row-level security is not a setting it could switch off. A cluster of an
    /// older Parley, where the application role owned everything, is handed over to the owner here (the
    /// next migration grants the application role its DML back). Extensions need a superuser, so they are
    /// created here, not in migrations (pg_prewarm warms a tenant's index when a call starts).
    /// </summary>
    private static async Task BootstrapAsync(ClusterInfo info, CancellationToken cancellationToken)
    {
        string? owner;
        // Unpooled: a pooled connection from before a restart of this cluster would be dead (found by
        // the primary-restart fault test), and bootstrapping is a one-off anyway.
        await using (var admin = new NpgsqlConnection(info.SuperuserConnectionString("postgres") + ";Pooling=false"))
        {
            await admin.OpenAsync(cancellationToken);
            await using var cmd = admin.CreateCommand();
            cmd.CommandText = $"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ClusterInfo.OwnerUser}') THEN
                    CREATE ROLE {ClusterInfo.OwnerUser} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD '{info.OwnerPassword}';
                  END IF;
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ClusterInfo.AppUser}') THEN
                    CREATE ROLE {ClusterInfo.AppUser} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE PASSWORD '{info.AppPassword}';
                  END IF;
                END $$;
                SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = '{ClusterInfo.Database}';
                """;
            owner = await cmd.ExecuteScalarAsync(cancellationToken) as string;
            if (owner is null)
            {
                cmd.CommandText = $"CREATE DATABASE {ClusterInfo.Database} OWNER {ClusterInfo.OwnerUser}";
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using var db = new NpgsqlConnection(info.SuperuserConnectionString() + ";Pooling=false");
        await db.OpenAsync(cancellationToken);
        await using var ext = db.CreateCommand();
        ext.CommandText = $"""
            CREATE EXTENSION IF NOT EXISTS vector;
            CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
            CREATE EXTENSION IF NOT EXISTS pg_prewarm;
            GRANT pg_read_all_stats TO {ClusterInfo.AppUser};
            """;
        if (owner == ClusterInfo.AppUser)
        {
            ext.CommandText += $"REASSIGN OWNED BY {ClusterInfo.AppUser} TO {ClusterInfo.OwnerUser};";
        }
        await ext.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void GiveToPostgres(string path)
    {
        if (!ProcessRunner.IsRoot)
        {
            return;
        }
        // initdb will not run as root; the cluster's folder belongs to the postgres OS user.
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", "postgres:postgres", path]);
        chown.WaitForExit();
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
