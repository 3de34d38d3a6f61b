namespace Parley.Monitoring.Performance;

/// <summary>A table of the vector side: heap, indexes and total (with TOAST) in bytes, and the planner's row estimate.</summary>
public sealed record RelationSize(string Name, long TableBytes, long IndexBytes, long TotalBytes, long EstimatedRows);
