namespace Parley.Monitoring.Performance;

/// <summary>One Npgsql pool of this server process: connections in use, idle, and the pool's bound.</summary>
public sealed record PoolStatistics(string Name, long Busy, long Idle, long Max);
