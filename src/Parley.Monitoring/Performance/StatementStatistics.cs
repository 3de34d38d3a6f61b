namespace Parley.Monitoring.Performance;

/// <summary>One normalised statement from <c>pg_stat_statements</c> (constants replaced by <c>$n</c>).</summary>
public sealed record StatementStatistics(string Query, long Calls, double MeanMs, double TotalMs, long Rows);
