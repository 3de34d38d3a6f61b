namespace Parley.Bench;

/// <summary>One point of the recall/latency curve: a plan on a tenant-size class at one <c>hnsw.ef_search</c>.</summary>
public sealed record SweepPoint(string Plan, string Class, int EfSearch, double RecallAt10, double P50Ms, double P99Ms, double P50MsAt16, double P99MsAt16);
