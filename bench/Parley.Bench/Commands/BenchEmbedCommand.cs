using System.Globalization;
using System.Text;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary><c>parley bench embed [--queries N] [--sentences N] [--chunks N] [--json FILE]</c>: the local model, cold and cached.</summary>
internal sealed class BenchEmbedCommand : AsyncCommand<BenchEmbedCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--queries <N>")]
        public int Queries { get; init; } = 300;

        [CommandOption("--sentences <N>")]
        public int Sentences { get; init; } = 1024;

        [CommandOption("--chunks <N>")]
        public int Chunks { get; init; } = 128;


        public override Spectre.Console.ValidationResult Validate() =>
            Queries is < 10 or > 100_000 ? Spectre.Console.ValidationResult.Error("--queries must be between 10 and 100 000")
            : Sentences is < 32 or > 1_000_000 ? Spectre.Console.ValidationResult.Error("--sentences must be between 32 and 1 000 000")
            : Chunks is < 32 or > 100_000 ? Spectre.Console.ValidationResult.Error("--chunks must be between 32 and 100 000")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Tier 2 needs the database; without one the rest still runs and tier 2 says it was skipped.
        using var host = CliHost.Build(requireDatabase: false);
        var result = await new EmbedBenchmark(host.Services).RunAsync(settings.Queries, settings.Sentences, settings.Chunks, cancellationToken);
        await settings.ReportAsync(Markdown(result), result, cancellationToken);
        return CliApp.Ok;
    }

    private static string Markdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n## Embeddings: {r["model"]}, {r["sessions"]} sessions on {r["cores"]} cores\n");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Cold (no cache): {r["queries"]} single queries one after another; {r["sentences"]} short sentences and {r["chunks"]} chunks of ~{(double)r["chunkWordPieces"]:F0} word pieces in batches of {r["batch"]}.\n");
        sb.AppendLine("| runtime | single p50 ms | p95 ms | p99 ms | sentences/s | chunks/s |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, x) in (Dictionary<string, RuntimeResult>)r["runtimes"])
        {
            var label = name == "onnx" ? "ONNX Runtime directly (default)" : "SentenceTransformers wrapper";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {x.SingleP50Ms:F2} | {x.SingleP95Ms:F2} | {x.SingleP99Ms:F2} | {x.SentencesPerSecond:F0} | {x.ChunksPerSecond:F1} |");
        }
        var speedup = (Dictionary<string, double>)r["onnxSpeedup"];
        sb.AppendLine(CultureInfo.InvariantCulture, $"\nONNX Runtime directly vs the wrapper: single query ×{speedup["singleP50"]:F2}, sentences ×{speedup["sentences"]:F2}, chunks ×{speedup["chunks"]:F2}.\n");
        sb.AppendLine("| cached lookup | p50 ms | p95 ms | p99 ms |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var tier in new[] { "tier1", "tier2" })
        {
            sb.AppendLine(r[tier] is CachedResult c
                ? string.Create(CultureInfo.InvariantCulture, $"| {(tier == "tier1" ? "tier 1 (in process)" : "tier 2 (PostgreSQL)")} | {c.P50Ms:F3} | {c.P95Ms:F3} | {c.P99Ms:F3} |")
                : $"| {tier} | {r[tier]} | | |");
        }
        return sb.ToString();
    }
}
