using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>
/// <c>parley bench turn [--turns N] [--concurrency N] [--no-speak] [--stream | --interim [--word-ms MS] [--cuts 50,75,90]] [--knowledge DIR] [--keep] [--json FILE]</c>:
/// whole phone turns in process with the configured providers, per-stage percentiles; with <c>--stream</c>, streamed
/// turns and the time to the first audio; with <c>--interim</c>, the same calls with and without interim transcripts
/// (<see cref="TurnBenchmark.RunInterimAsync"/>): the prefetch hit rate and the milliseconds saved.
/// </summary>
internal sealed class BenchTurnCommand : AsyncCommand<BenchTurnCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--turns <N>")]
        public int Turns { get; init; } = 1000;

        [CommandOption("--concurrency <N>")]
        public int Concurrency { get; init; } = 8;

        [CommandOption("--no-speak")]
        public bool NoSpeak { get; init; }

        [CommandOption("--knowledge <DIR>")]
        public string Knowledge { get; init; } = Path.Combine("demo", "knowledge");

        [CommandOption("--keep")]
        public bool Keep { get; init; }

        /// <summary>Streamed turns: the answer in pieces, speech sentence by sentence, time to the first audio.</summary>
        [CommandOption("--stream")]
        public bool Stream { get; init; }

        /// <summary>Interim transcripts before each final one (cut at 50, 75, 90 % of its words), against a run without.</summary>
        [CommandOption("--interim")]
        public bool Interim { get; init; }

        /// <summary>With <c>--interim</c>: the time a caller takes per word (250 ms is 240 words a minute, brisk speech).</summary>
        [CommandOption("--word-ms <MS>")]
        public int WordMs { get; init; } = 250;

        /// <summary>With <c>--interim</c>: where the interims cut the final transcript, in percent of its words (100 = the recogniser's last interim, the final's words).</summary>
        [CommandOption("--cuts <PERCENTS>")]
        public string Cuts { get; init; } = "50,75,90";

        public double[]? CutFractions => Cuts.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => int.TryParse(c, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100 ? p / 100.0 : double.NaN)
            .ToArray() is { Length: > 0 } f && f.All(double.IsFinite) ? [.. f.Order()] : null;


        public override Spectre.Console.ValidationResult Validate() =>
            Turns is < 1 or > 1_000_000 ? Spectre.Console.ValidationResult.Error("--turns must be between 1 and 1 000 000")
            : Concurrency is < 1 or > 1024 ? Spectre.Console.ValidationResult.Error("--concurrency must be between 1 and 1024")
            : Interim && Stream ? Spectre.Console.ValidationResult.Error("--interim and --stream do not go together")
            : WordMs is < 0 or > 10_000 ? Spectre.Console.ValidationResult.Error("--word-ms must be between 0 and 10 000")
            : CutFractions is null ? Spectre.Console.ValidationResult.Error("--cuts must be percentages from 1 to 100, comma-separated (e.g. 50,75,90)")
            : !Directory.Exists(Knowledge) || !Directory.EnumerateFiles(Knowledge, "*.md").Any() ? Spectre.Console.ValidationResult.Error($"--knowledge: no .md files in '{Knowledge}' (run from the repository root, or pass the folder).")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build(b =>
        {
            Parley.Calls.CallsHostingExtensions.AddParleyCalls(b);
            // Degraded stages are counted in the summary; a warning per turn would bury the progress bar.
            b.Logging.AddFilter("Parley.Calls.Pipeline.CallOrchestrator", LogLevel.Error);
        });
        // The call-log writer is a hosted service: the turns' records are written as in the server.
        await host.StartAsync(cancellationToken);
        Dictionary<string, object> result;
        try
        {
            var bench = new TurnBenchmark(host.Services);
            result = settings.Interim
                ? await bench.RunInterimAsync(settings.Knowledge, settings.Turns, settings.Concurrency, !settings.NoSpeak, settings.WordMs, settings.CutFractions!, settings.Keep, cancellationToken)
                : await bench.RunAsync(settings.Knowledge, settings.Turns, settings.Concurrency, !settings.NoSpeak, settings.Keep, settings.Stream, cancellationToken);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
        await settings.ReportAsync(settings.Interim ? InterimMarkdown(result) : Markdown(result), result, cancellationToken);
        return CliApp.Ok;
    }

    private static string Markdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"\n## Turns: {r["turns"]} at concurrency {r["concurrency"]} (llm {r["llm"]}, tts {r["tts"]}, text in{((bool)r["streamed"] ? ", streamed" : "")})\n");
        sb.AppendLine("| stage | p50 ms | p95 ms | p99 ms | mean ms | turns |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var (stage, s) in (Dictionary<string, LatencySummary>)r["stages"])
        {
            var label = stage switch { "search" => "search (uncached turns)", "llm" => "llm (uncached turns)", "totalUncached" => "total, answer cache miss", "totalCached" => "total, answer cache hit",
                "callerWait" => "caller's wait (the call, end to end)", "afterTimings" => "after the timings (call-log record queued)",
                "firstToken" => "first piece of the answer sent", "firstAudio" => "**first audio sent** (the turn's firstAudioMs)",
                "callerFirstAudio" => "first audio read by the caller", _ => stage };
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {s.P50Ms:F2} | {s.P95Ms:F2} | {s.P99Ms:F2} | {s.MeanMs:F2} | {s.Count} |");
        }
        var degraded = (Dictionary<string, int>)r["degraded"];
        sb.AppendLine();
        if (r.TryGetValue("turnsWithAudio", out var spoke))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Streamed: {spoke} of {r["turns"]} turns had audio (the first-audio rows count those).");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"Answer-cache hits: {r["answerCacheHits"]}. Degraded: {(degraded.Count == 0 ? "none" : string.Join(", ", degraded.Select(d => $"{d.Key} {d.Value}")))}. Within the {r["turnBudgetMs"]} ms turn budget: {(double)r["withinTurnBudget"]:P1}. Throughput: {r["turnsPerSecond"]} turns/s.");
        return sb.ToString();
    }

    private static string InterimMarkdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"\n## Interim prefetch: {r["turns"]} turns at concurrency {r["concurrency"]}, {r["wordMs"]} ms a word, reuse at cosine >= {r["reuseSimilarity"]}\n");
        sb.AppendLine("| stage (answer-cache misses) | p50 ms with | p50 ms without | p99 ms with | p99 ms without | turns with | turns without |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        var with = (Dictionary<string, LatencySummary>)r["withInterim"];
        var without = (Dictionary<string, LatencySummary>)r["withoutInterim"];
        foreach (var (stage, w) in with)
        {
            var o = without[stage];
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {(stage == "callerWait" ? "caller's wait (every turn)" : stage)} | {w.P50Ms:F2} | {o.P50Ms:F2} | {w.P99Ms:F2} | {o.P99Ms:F2} | {w.Count} | {o.Count} |");
        }
        var saved = (Dictionary<string, double>)r["savedMs"];
        sb.AppendLine();
        sb.AppendLine("| reuse at cosine >= | questions that would reuse a cut | its first source the final's own | top-3 overlap |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var p in (List<InterimProfile.Point>)r["thresholdProfile"])
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {p.Similarity:F2} | {p.ReuseRate:P1} | {p.FirstSourceAgreement:P1} | {p.Top3Overlap:P1} |");
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Prefetch hits: {r["prefetched"]} of {r["uncachedTurns"]} answer-cache misses (hit rate {(double)r["hitRate"]:P1}; {r["exactHits"]} exact, {r["similarHits"]} similar); first source as the final's own search: {(double)r["firstSourceAgreement"]:P1}.");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Saved: search p50 {saved["searchP50"]:F2} ms, p99 {saved["searchP99"]:F2} ms; turn p50 {saved["totalP50"]:F2} ms, p99 {saved["totalP99"]:F2} ms. Interims sent {r["interimsSent"]}, prefetched {r["interimsStarted"]}.");
        return sb.ToString();
    }
}
