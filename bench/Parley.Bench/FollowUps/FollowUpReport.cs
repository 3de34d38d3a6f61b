using System.Globalization;
using System.Text;

namespace Parley.Bench.FollowUps;

/// <summary>One mode's figures: follow-up hit@3 (all and per corpus), the first turns' for comparison, cache hits, degraded turns.</summary>
internal sealed record ModeFigures(
    double HitAt3, int Hits, int FollowUps, IReadOnlyDictionary<string, double> PerCorpus, double FirstTurnHitAt3,
    int CachedFollowUps, int DegradedTurns)
{
    public static ModeFigures Of(IReadOnlyList<PlayedDialogue> played) => new(
        Ratio(played.Count(p => p.FollowUpHit), played.Count), played.Count(p => p.FollowUpHit), played.Count,
        played.GroupBy(p => p.Dialogue.Corpus).ToDictionary(g => g.Key, g => Ratio(g.Count(p => p.FollowUpHit), g.Count())),
        Ratio(played.Count(p => p.FirstHit), played.Count), played.Count(p => p.FollowUpCached), played.Count(p => p.Degraded.Count > 0));

    private static double Ratio(int n, int of) => of == 0 ? 0 : Math.Round(n / (double)of, 4);
}

/// <summary>A follow-up whose top 3 missed the expected document, in one mode.</summary>
internal sealed record FollowUpMiss(string Mode, string Corpus, string First, string FollowUp, string Expected, string? StandaloneQuery, IReadOnlyList<string> Sources);

/// <summary>The benchmark's result, as <c>--json</c> writes it.</summary>
internal sealed record FollowUpResult(
    int Dialogues, IReadOnlyDictionary<string, int> Corpora, IReadOnlyDictionary<string, int> Documents,
    ModeFigures WithRewrite, ModeFigures WithoutRewrite, LatencySummary RewriteMs, LatencySummary RewriteInProcessMs, int RewrittenFollowUps,
    IReadOnlyList<FollowUpMiss> Misses)
{
    public static FollowUpResult Of(IReadOnlyList<PlayedDialogue> on, IReadOnlyList<PlayedDialogue> off, IReadOnlyDictionary<string, int> documents,
        LatencySummary rewriteInProcess)
    {
        IEnumerable<FollowUpMiss> Misses(string mode, IEnumerable<PlayedDialogue> played) => played.Where(p => !p.FollowUpHit).Select(p =>
            new FollowUpMiss(mode, p.Dialogue.Corpus, p.Dialogue.First, p.Dialogue.FollowUp, p.Dialogue.Answer, p.StandaloneQuery, p.FollowUpSources));
        return new FollowUpResult(on.Count,
            on.GroupBy(p => p.Dialogue.Corpus).ToDictionary(g => g.Key, g => g.Count()), documents,
            ModeFigures.Of(on), ModeFigures.Of(off),
            // Every turn of the run with the rewrite on: the stage runs on first questions too, and costs there as well.
            LatencySummary.Of(on.SelectMany(p => p.RewriteMs).ToList()), rewriteInProcess,
            on.Count(p => p.StandaloneQuery is not null),
            [.. Misses("withRewrite", on), .. Misses("withoutRewrite", off)]);
    }

    public string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"\n## Follow-ups: {Dialogues} two-turn dialogues, hit@3 of the second turn\n");
        sb.AppendLine("| corpus | dialogues | documents | hit@3 with rewrite | hit@3 without rewrite |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (corpus, n) in Corpora)
        {
            sb.AppendLine(inv, $"| {corpus} | {n} | {Documents.GetValueOrDefault(corpus)} | {WithRewrite.PerCorpus[corpus]:F3} | {WithoutRewrite.PerCorpus[corpus]:F3} |");
        }
        sb.AppendLine(inv, $"| **all** | {Dialogues} | {Documents.Values.Sum()} | **{WithRewrite.HitAt3:F3}** ({WithRewrite.Hits}/{WithRewrite.FollowUps}) | **{WithoutRewrite.HitAt3:F3}** ({WithoutRewrite.Hits}/{WithoutRewrite.FollowUps}) |");
        sb.AppendLine();
        sb.AppendLine(inv, $"Rewrite stage (timings.rewriteMs, {RewriteMs.Count} turns): p50 {RewriteMs.P50Ms:F3} ms, p95 {RewriteMs.P95Ms:F3} ms, p99 {RewriteMs.P99Ms:F3} ms, mean {RewriteMs.MeanMs:F3} ms.");
        sb.AppendLine(inv, $"Rewrite alone, in this process ({RewriteInProcessMs.Count} calls, warmed): p50 {RewriteInProcessMs.P50Ms:F4} ms, p99 {RewriteInProcessMs.P99Ms:F4} ms, mean {RewriteInProcessMs.MeanMs:F4} ms.");
        sb.AppendLine(inv, $"Follow-ups rewritten: {RewrittenFollowUps}/{Dialogues}. First turns' hit@3: {WithRewrite.FirstTurnHitAt3:F3} / {WithoutRewrite.FirstTurnHitAt3:F3}. "
            + $"Follow-ups answered from the answer cache: {WithRewrite.CachedFollowUps} / {WithoutRewrite.CachedFollowUps}. Degraded turns: {WithRewrite.DegradedTurns} / {WithoutRewrite.DegradedTurns} (with / without).");
        if (Misses.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| mode | corpus | dialogue | expected | searched | top 3 |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var m in Misses)
            {
                sb.AppendLine(inv, $"| {m.Mode} | {m.Corpus} | {Cell(m.First)} → {Cell(m.FollowUp)} | {Cell(m.Expected)} | {Cell(m.StandaloneQuery ?? m.FollowUp)} | {Cell(string.Join("; ", m.Sources))} |");
            }
        }
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
