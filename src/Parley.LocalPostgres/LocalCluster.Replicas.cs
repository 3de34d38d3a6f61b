using System.Text.Json;

namespace Parley.LocalPostgres;

/// <summary>
/// Read replicas of the private cluster: PostgreSQL's own streaming replication
/// (<c>pg_basebackup -R</c>), each standby in its own folder on its own port.
/// </summary>
public sealed partial class LocalCluster
{
    private string ReplicasFile => Path.Combine(_root, "replicas.json");

    public string ReplicaDirectory(string name) => Path.Combine(_root, "replicas", name);

    public IReadOnlyList<ReplicaInfo> Replicas => File.Exists(ReplicasFile)
        ? JsonSerializer.Deserialize<List<ReplicaInfo>>(File.ReadAllText(ReplicasFile)) ?? []
        : [];

    /// <summary>Creates a standby from a base backup of the running primary and starts it.</summary>
    public async Task<ReplicaInfo> AddReplicaAsync(CancellationToken cancellationToken)
    {
        var info = await EnsureStartedAsync(cancellationToken);
        var bin = PostgresBinaries.Find();
        var existing = Replicas.ToList();
        var name = $"r{Enumerable.Range(1, 100).First(i => existing.All(r => r.Name != $"r{i}"))}";
        var dir = ReplicaDirectory(name);
        var data = Path.Combine(dir, "pgdata");
        Directory.CreateDirectory(dir);
        GiveToPostgres(dir);
        var replica = new ReplicaInfo(name, FreePort());
        // -R writes standby.signal and primary_conninfo (password included, from this conninfo).
        await ProcessRunner.RunAsync(bin.PgBaseBackup,
            ["-d", $"host=127.0.0.1 port={info.Port} user={ClusterInfo.Superuser} password={info.SuperuserPassword}",
             "-D", data, "-R", "-X", "stream", "-c", "fast"], cancellationToken);
        var conf = Path.Combine(data, "postgresql.auto.conf");
        var lines = (await File.ReadAllLinesAsync(conf, cancellationToken))
            .Where(l => !l.StartsWith("port = ", StringComparison.Ordinal))
            .Append($"port = {replica.Port}");
        await File.WriteAllLinesAsync(conf, lines, cancellationToken);
        await ProcessRunner.RunAsync(bin.PgCtl, ["-D", data, "-l", Path.Combine(dir, "postgres.log"), "-w", "-t", "60", "start"], cancellationToken);
        existing.Add(replica);
        await File.WriteAllTextAsync(ReplicasFile, JsonSerializer.Serialize(existing), cancellationToken);
        return replica;
    }

    /// <summary>Stops and deletes a standby (the newest one when no name is given).</summary>
    public async Task<ReplicaInfo?> RemoveReplicaAsync(string? name, CancellationToken cancellationToken)
    {
        var existing = Replicas.ToList();
        var replica = name is null ? existing.LastOrDefault() : existing.FirstOrDefault(r => r.Name == name);
        if (replica is null)
        {
            return null;
        }
        await StopReplicaAsync(replica, cancellationToken);
        Directory.Delete(ReplicaDirectory(replica.Name), recursive: true);
        existing.Remove(replica);
        await File.WriteAllTextAsync(ReplicasFile, JsonSerializer.Serialize(existing), cancellationToken);
        return replica;
    }

    public async Task StopReplicaAsync(ReplicaInfo replica, CancellationToken cancellationToken)
    {
        var data = Path.Combine(ReplicaDirectory(replica.Name), "pgdata");
        try
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", data, "status"], cancellationToken);
        }
        catch (LocalClusterException)
        {
            return;
        }
        await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", data, "-m", "fast", "-w", "stop"], cancellationToken);
    }

    public async Task StartReplicasAsync(CancellationToken cancellationToken)
    {
        foreach (var replica in Replicas)
        {
            var dir = ReplicaDirectory(replica.Name);
            var data = Path.Combine(dir, "pgdata");
            try
            {
                await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", data, "status"], cancellationToken);
            }
            catch (LocalClusterException)
            {
                await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", data, "-l", Path.Combine(dir, "postgres.log"), "-w", "-t", "60", "start"], cancellationToken);
            }
        }
    }

    /// <summary>
    /// A multi-host connection string for reads: the standbys first, the primary last, with
    /// prefer-standby so a stopped standby falls back to the primary without an error.
    /// </summary>
    public string ReadConnectionString()
    {
        var info = Info;
        var hosts = string.Join(',', Replicas.Select(r => $"127.0.0.1:{r.Port}").Append($"127.0.0.1:{info.Port}"));
        return $"Host={hosts};Database={ClusterInfo.Database};Username={ClusterInfo.AppUser};Password={info.AppPassword};Target Session Attributes=prefer-standby;Load Balance Hosts=true";
    }
}
