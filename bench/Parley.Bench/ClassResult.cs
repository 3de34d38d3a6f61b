namespace Parley.Bench;

/// <summary>Figures of one plan on one tenant-size class.</summary>
public sealed record ClassResult(double RecallAt10, double P50Ms, double P95Ms, double P99Ms, double Qps, double P50MsAt16, double P99MsAt16, double QpsAt16);
