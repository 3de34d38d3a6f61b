namespace Parley.Monitoring.Performance;

/// <summary>Sessions of one application name in one state (<c>pg_stat_activity</c>).</summary>
public sealed record SessionCount(string ApplicationName, string State, long Count);
