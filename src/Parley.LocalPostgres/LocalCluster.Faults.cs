namespace Parley.LocalPostgres;

/// <summary>Stopping the primary alone, the way an outage does it (fault tests, operators' drills).</summary>
public sealed partial class LocalCluster
{
    /// <summary>
    /// Stops the primary only; its standbys keep running (and keep retrying their WAL stream).
    /// <paramref name="immediate"/> is a crash: no checkpoint, clients cut off, crash recovery at the
    /// next start. Otherwise a fast shutdown: open transactions rolled back, clients told to go.
    /// </summary>
    public async Task StopPrimaryAsync(bool immediate, CancellationToken cancellationToken)
    {
        if (await IsRunningAsync(cancellationToken))
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "stop"], cancellationToken);
        }
    }

    /// <summary>Whether a standby's server is running.</summary>
    public async Task<bool> IsReplicaRunningAsync(ReplicaInfo replica, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Find().PgCtl, ["-D", Path.Combine(ReplicaDirectory(replica.Name), "pgdata"), "status"], cancellationToken);
            return true;
        }
        catch (LocalClusterException)
        {
            return false;
        }
    }
}
