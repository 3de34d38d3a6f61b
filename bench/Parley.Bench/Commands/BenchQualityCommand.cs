using System.Globalization;
using System.Text;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>
/// <c>parley bench quality [--docs DIR] [--demo DIR] [--json FILE]</c>: caller questions over the Debian
/// Reference and the demo knowledge base, hit@1/3/5 and MRR for vector and hybrid search.
/// </summary>
internal sealed class BenchQualityCommand : AsyncCommand<BenchQualityCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        /// <summary>The Debian Reference's HTML (Debian's debian-reference-en package, which scripts/bootstrap.sh installs).</summary>
        [CommandOption("--docs <DIR>")]
        public string Docs { get; init; } = "/usr/share/debian-reference";

        [CommandOption("--demo <DIR>")]
        public string Demo { get; init; } = Path.Combine("demo", "knowledge");

        public override Spectre.Console.ValidationResult Validate() =>
            !Directory.Exists(Docs) || !Directory.EnumerateFiles(Docs, "*.en.html").Any()
                ? Spectre.Console.ValidationResult.Error($"--docs: no Debian Reference in '{Docs}' (apt-get install debian-reference-en, or run scripts/bootstrap.sh test).")
            : !Directory.Exists(Demo) || !Directory.EnumerateFiles(Demo, "*.md").Any()
                ? Spectre.Console.ValidationResult.Error($"--demo: no .md files in '{Demo}' (run from the repository root, or pass the folder).")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        var folders = new Dictionary<string, string> { ["debian-reference"] = settings.Docs, ["demo"] = settings.Demo };
        var result = await new QualityBenchmark(host.Services).RunAsync(folders, Directory.GetCurrentDirectory(), cancellationToken);
        await settings.ReportAsync(Markdown(result), result, cancellationToken);
        return CliApp.Ok;
    }

    private static string Markdown(Dictionary<string, object> r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"\n## Retrieval quality: {r["questions"]} questions, top {r["topK"]}\n");
        sb.AppendLine("| set | mode | questions | hit@1 | hit@3 | hit@5 | MRR | p50 search ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        var rows = ((Dictionary<string, object>)r["sets"]).Select(s => (Set: s.Key, Scores: (Dictionary<string, object>)s.Value)).Append(("all", r));
        foreach (var (set, scores) in rows)
        {
            foreach (var mode in new[] { "vector", "hybrid" })
            {
                var m = (Dictionary<string, object>)scores[mode];
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {set} | {mode} | {m["questions"]} | {m["hitAt1"]:F3} | {m["hitAt3"]:F3} | {m["hitAt5"]:F3} | {m["mrr"]:F3} | {m["p50SearchMs"]:F2} |");
            }
        }
        var differences = (List<object>)r["differences"];
        if (differences.Count > 0)
        {
            sb.AppendLine("\nWhere the modes disagree (rank of the answering passage in the top 5; 0 = not found):\n");
            sb.AppendLine("| set | question | vector | hybrid |");
            sb.AppendLine("|---|---|---|---|");
            foreach (Dictionary<string, object> d in differences)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {d["set"]} | {d["question"]} | {d["vectorRank"]} | {d["hybridRank"]} |");
            }
        }
        return sb.ToString();
    }
}
