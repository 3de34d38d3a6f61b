namespace Parley.LocalPostgres;

/// <summary>A streaming-replication standby of a private cluster, on its own port.</summary>
public sealed record ReplicaInfo(string Name, int Port);
