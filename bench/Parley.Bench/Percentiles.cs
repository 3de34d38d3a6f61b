namespace Parley.Bench;

/// <summary>Latency figures of one run: nearest-rank percentiles of the measured samples.</summary>
public sealed record LatencySummary(double P50Ms, double P95Ms, double P99Ms, double MeanMs, int Count)
{
    public static LatencySummary Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }
        var sorted = samples.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(Math.Round(At(0.50), 3), Math.Round(At(0.95), 3), Math.Round(At(0.99), 3), Math.Round(sorted.Average(), 3), sorted.Length);
    }
}
