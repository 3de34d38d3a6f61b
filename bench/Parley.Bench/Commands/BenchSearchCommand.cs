using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary><c>parley bench search [--chunks N] [--tenants N] [--queries N] [--sweep] [--keep] [--json FILE]</c>.</summary>
internal sealed class BenchSearchCommand : AsyncCommand<BenchSearchCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--chunks <N>")]
        public int Chunks { get; init; } = 100_000;

        [CommandOption("--tenants <N>")]
        public int Tenants { get; init; } = 1000;

        [CommandOption("--queries <N>")]
        public int Queries { get; init; } = 100;

        /// <summary>Also measure the recall/latency curve over hnsw.ef_search 20-200 (a minute or two more).</summary>
        [CommandOption("--sweep")]
        public bool Sweep { get; init; }

        [CommandOption("--keep")]
        public bool Keep { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Chunks is < 100 or > 5_000_000 ? Spectre.Console.ValidationResult.Error("--chunks must be between 100 and 5 000 000")
            : Tenants is < 3 or > 100_000 ? Spectre.Console.ValidationResult.Error("--tenants must be between 3 and 100 000")
            : Queries is < 1 or > 10_000 ? Spectre.Console.ValidationResult.Error("--queries must be between 1 and 10 000")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        var result = await new SearchBenchmark(host.Services).RunAsync(settings.Chunks, settings.Tenants, settings.Queries, settings.Keep, settings.Sweep, cancellationToken);
        await settings.ReportAsync(Markdown(result), result, cancellationToken);
        return CliApp.Ok;
    }

    private static string Markdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n## Search: {r["chunks"]} chunks, {r["tenants"]} tenants (partial HNSW index above {r["largeTenantThreshold"]} chunks, ef_search {r["efSearch"]})\n");
        sb.AppendLine("| plan | class | recall@10 | p50 ms | p95 ms | p99 ms | qps | p50 ms @16 | p99 ms @16 | qps @16 |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var plan in new[] { "parley", "naive" })
        {
            var classes = (Dictionary<string, object>)r[plan];
            foreach (var cls in new[] { "small", "medium", "large", "all" })
            {
                if (classes.GetValueOrDefault(cls) is ClassResult c)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {plan} | {cls} | {c.RecallAt10:F3} | {c.P50Ms:F2} | {c.P95Ms:F2} | {c.P99Ms:F2} | {c.Qps:F0} | {c.P50MsAt16:F2} | {c.P99MsAt16:F2} | {c.QpsAt16:F0} |");
                }
            }
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Ingestion: parley (one batch per document) {((Dictionary<string, object>)r["parley"])["ingestChunksPerSecond"]} chunks/s; naive (one INSERT per row) {((Dictionary<string, object>)r["naive"])["ingestChunksPerSecond"]} chunks/s.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Exact scan of the largest tenant ({r["exactScanRows"]} chunks): p50 {r["exactScanP50Ms"]} ms. Tenant HNSW index builds: {r["tenantIndexBuildSeconds"]} s; the naive plan's global index: {r["naiveIndexBuildSeconds"]} s.");
        if (r.GetValueOrDefault("efSweep") is List<SweepPoint> curve)
        {
            sb.AppendLine("\n### Recall and latency against hnsw.ef_search\n");
            sb.AppendLine("| plan | class | ef_search | recall@10 | p50 ms | p99 ms | p50 ms @16 | p99 ms @16 |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var p in curve.OrderBy(p => p.Plan == "naive").ThenBy(p => p.Class).ThenBy(p => p.EfSearch))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {p.Plan} | {p.Class} | {p.EfSearch} | {p.RecallAt10:F3} | {p.P50Ms:F2} | {p.P99Ms:F2} | {p.P50MsAt16:F2} | {p.P99MsAt16:F2} |");
            }
        }
        return sb.ToString();
    }
}
