namespace Parley.LocalPostgres;

/// <summary>
/// The PostgreSQL settings Parley applies to a cluster it owns, tuned for pgvector
/// as the design asks (shared_buffers, work_mem, maintenance_work_mem, max_connections).
/// </summary>
public sealed record ClusterSettings
{
    /// <summary>Room for the HNSW graph and hot tenant rows.</summary>
    public string SharedBuffers { get; init; } = "512MB";

    /// <summary>Exact-scan sorts of a tenant's rows stay in memory.</summary>
    public string WorkMem { get; init; } = "32MB";

    /// <summary>HNSW builds are far faster when the graph fits in maintenance memory.</summary>
    public string MaintenanceWorkMem { get; init; } = "1GB";

    public int MaxConnections { get; init; } = 200;

    /// <summary>Throwaway test clusters trade durability for speed; the dev cluster keeps it.</summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// The owner role's password when the cluster is created; random when null. Test runs give every
    /// cluster of the process the same one, so one <c>Parley__Database__OwnerPassword</c> reaches them all.
    /// </summary>
    public string? OwnerPassword { get; init; }

    /// <summary>Lines appended to postgresql.conf.</summary>
    public IEnumerable<string> ToConfigLines(int port)
    {
        yield return $"port = {port}";
        yield return "listen_addresses = '127.0.0.1'";
        // No unix socket: paths of test folders can pass the 107-byte socket path limit.
        yield return "unix_socket_directories = ''";
        yield return $"shared_buffers = {SharedBuffers}";
        yield return $"work_mem = {WorkMem}";
        yield return $"maintenance_work_mem = {MaintenanceWorkMem}";
        yield return $"max_connections = {MaxConnections}";
        yield return "max_parallel_maintenance_workers = 2";
        yield return "shared_preload_libraries = 'pg_stat_statements'";
        yield return "pg_stat_statements.track = all";
        yield return "wal_level = replica";
        yield return "max_wal_senders = 10";
        yield return "hot_standby = on";
        yield return "log_min_messages = warning";
        yield return "logging_collector = off";
        if (!Durable)
        {
            yield return "fsync = off";
            yield return "synchronous_commit = off";
            yield return "full_page_writes = off";
        }
    }
}
