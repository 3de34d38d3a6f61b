namespace Parley.Monitoring.Performance;

/// <summary>An index of the vector side with its access method and use since the statistics were reset (<c>pg_stat_user_indexes</c>).</summary>
public sealed record IndexStatistics(string Name, string Table, string Method, long SizeBytes, long Scans, long TuplesRead);
