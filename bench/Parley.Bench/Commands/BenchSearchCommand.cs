using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.LocalPostgres;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary><c>parley bench search [--chunks N] [--tenants N] [--queries N] [--sweep] [--cold [--rounds N]] [--keep] [--json FILE]</c>.</summary>
internal sealed class BenchSearchCommand : AsyncCommand<BenchSearchCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        /// <summary>Default 100 000; 40 000 with <c>--cold</c>.</summary>
        [CommandOption("--chunks <N>")]
        public int? ChunksOption { get; init; }

        /// <summary>Default 1 000; 60 with <c>--cold</c> (every tenant searches once per restart).</summary>
        [CommandOption("--tenants <N>")]
        public int? TenantsOption { get; init; }

        /// <summary>
        /// The first search of each tenant after a restart of PostgreSQL (the private cluster), without and with
        /// the warm a call start runs; <c>--rounds</c> restarts of each.
        /// </summary>
        [CommandOption("--cold")]
        public bool Cold { get; init; }

        [CommandOption("--rounds <N>")]
        public int Rounds { get; init; } = 10;

        public int Chunks => ChunksOption ?? (Cold ? 40_000 : 100_000);

        public int Tenants => TenantsOption ?? (Cold ? 60 : 1000);

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
            : Rounds is < 1 or > 1000 ? Spectre.Console.ValidationResult.Error("--rounds must be between 1 and 1000")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        if (settings.Cold)
        {
            var cold = await new SearchBenchmark(host.Services).RunColdAsync(BenchCluster(host.Services), settings.Chunks, settings.Tenants, settings.Rounds,
                settings.Keep, cancellationToken);
            await settings.ReportAsync(ColdMarkdown(cold), cold, cancellationToken);
            return CliApp.Ok;
        }
        var result = await new SearchBenchmark(host.Services).RunAsync(settings.Chunks, settings.Tenants, settings.Queries, settings.Keep, settings.Sweep, cancellationToken);
        await settings.ReportAsync(Markdown(result), result, cancellationToken);
        return CliApp.Ok;
    }

    /// <summary>The private cluster, only if it is the database in use: <c>--cold</c> restarts it.</summary>
    private static LocalCluster BenchCluster(IServiceProvider services)
    {
        var cluster = ParleyHome.Cluster;
        var port = new NpgsqlConnectionStringBuilder(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString).Port;
        return cluster.Exists && cluster.Info.Port == port ? cluster
            : throw new CliException("--cold restarts PostgreSQL between measurements: it runs on the private cluster only (./parley db start), not on PARLEY_DATABASE_URL.");
    }

    private static string ColdMarkdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n## First search after a PostgreSQL restart: {r["chunks"]} chunks, {r["tenants"]} tenants, {r["rounds"]} rounds\n");
        sb.AppendLine("Cold: shared buffers empty (the OS page cache stays warm). Warm: each tenant warmed first, as a call start does.\n");
        sb.AppendLine("| class | tenants | chunks/tenant | warm reads | cold p50 ms | cold p99 ms | warm p50 ms | warm p99 ms | warm itself p50 / p99 ms | samples |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (cls, value) in (Dictionary<string, object>)r["classes"])
        {
            var c = (Dictionary<string, object>)value;
            var (cold, warm, warming) = ((LatencySummary)c["cold"], (LatencySummary)c["warm"], (LatencySummary)c["warmMs"]);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {cls} | {c["tenants"]} | {c["chunksPerTenant"]} | {c["warmKind"]} | {cold.P50Ms:F2} | {cold.P99Ms:F2} | {warm.P50Ms:F2} | {warm.P99Ms:F2} | {warming.P50Ms:F1} / {warming.P99Ms:F1} | {cold.Count} |");
        }
        return sb.ToString();
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
