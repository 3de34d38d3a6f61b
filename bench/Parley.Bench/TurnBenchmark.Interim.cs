using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Calls.Interim;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Transactional.Calls;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>
/// <c>bench turn --interim</c>: the same calls twice, each in a tenant of its own (its own answer and
/// embedding caches) loaded with the same knowledge. With interims, every question is spoken word by word
/// at <c>wordMs</c> a word and, as a recogniser would, its interim transcripts (cut at 50, 75 and 90 % of
/// its words by default) are posted as their words are heard, then the final turn; without, the same pauses and the
/// final turn only. The report: how many turns used a prefetch, how often its first source is the one
/// the final's own search ranks first, the search and turn percentiles of both runs, and
/// <see cref="InterimProfile"/>: what other reuse thresholds would have given.
/// </summary>
public sealed partial class TurnBenchmark
{
    /// <summary>Where the bench cuts a final transcript into interims, as fractions of its words (<c>--cuts</c>).</summary>
    public static readonly double[] DefaultCuts = [0.5, 0.75, 0.9];

    private sealed record Asked(string Question, TurnResult Turn, double WaitMs);

    /// <summary>The interims a recogniser would send before this final transcript: distinct cuts at word boundaries, with their word counts.</summary>
    internal static List<(string Text, int Words)> InterimsOf(string final, IReadOnlyList<double> fractions)
    {
        var words = final.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cuts = new List<(string Text, int Words)>();
        foreach (var cut in fractions)
        {
            // A cut at 100 % is the recogniser's last interim, the same words as the final.
            var n = cut >= 1 ? words.Length : Math.Min((int)Math.Round(words.Length * cut), words.Length - 1);
            if (n >= 1 && (cuts.Count == 0 || cuts[^1].Words < n))
            {
                cuts.Add((string.Join(' ', words[..n]), n));
            }
        }
        return cuts;
    }

    public async Task<Dictionary<string, object>> RunInterimAsync(
        string knowledgeFolder, int turns, int concurrency, bool speak, int wordMs, IReadOnlyList<double> cuts, bool keep, CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(knowledgeFolder, "*.md").Order(StringComparer.Ordinal).ToList();
        var random = new Random(7);
        var calls = Enumerable.Range(0, (turns + TurnsPerCall - 1) / TurnsPerCall)
            .Select(c => Enumerable.Range(0, Math.Min(TurnsPerCall, turns - (c * TurnsPerCall)))
                .Select(_ => Openers[random.Next(Openers.Length)] + Questions[random.Next(Questions.Length)]).ToArray())
            .ToList();
        var tenants = new[] { (Account: AccountId.New(), Agent: Guid.CreateVersion7()), (Account: AccountId.New(), Agent: Guid.CreateVersion7()) };
        var with = new ConcurrentBag<Asked>();
        var without = new ConcurrentBag<Asked>();
        var offered = new ConcurrentBag<InterimOutcome>();
        List<InterimProfile.Point> profile = [];
        try
        {
            await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var load = ctx.AddTask($"two tenants with {files.Count} demo documents", maxValue: 2 * (files.Count + 1));
                    var ingestion = services.GetRequiredService<KnowledgeIngestion>();
                    foreach (var (account, agent) in tenants)
                    {
                        await CreateTenantAsync(account, agent, cancellationToken);
                        load.Increment(1);
                        foreach (var file in files)
                        {
                            var doc = TextExtractor.Extract(file, null, await File.ReadAllBytesAsync(file, cancellationToken), null);
                            await ingestion.IngestAsync(account, new IngestRequest(Path.GetFileName(file), doc.Title ?? Path.GetFileNameWithoutExtension(file), doc), null, cancellationToken);
                            load.Increment(1);
                        }
                    }
                    // With interims first: the other run cannot warm anything of its (its caches are its tenant's).
                    foreach (var (phase, (account, agent), asked) in new[] { ("with interims", tenants[0], with), ("without", tenants[1], without) })
                    {
                        var progress = ctx.AddTask($"{turns} turns {phase} at concurrency {concurrency}", maxValue: turns);
                        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                            async (questions, ct) =>
                            {
                                await SpeakCallAsync(account, agent, questions, asked == with ? offered : null, speak, wordMs, cuts, asked, ct);
                                progress.Increment(questions.Length);
                            });
                    }
                    var measuring = ctx.AddTask("reuse threshold profile", maxValue: 1);
                    profile = await InterimProfile.MeasureAsync(
                        services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), services.GetRequiredService<IKnowledgeSearch>(),
                        tenants[1].Account, calls.SelectMany(c => c).Distinct(StringComparer.Ordinal).Select(q => (q, InterimsOf(q, cuts).Select(i => i.Text).ToList())),
                        cancellationToken);
                    measuring.Increment(1);
                });
        }
        finally
        {
            if (!keep)
            {
                foreach (var (account, _) in tenants)
                {
                    await DeleteTenantAsync(account, CancellationToken.None);
                }
            }
        }
        var result = SummariseInterim(with.ToList(), without.ToList(), offered.ToList(), concurrency, wordMs);
        result["cuts"] = cuts;
        result["thresholdProfile"] = profile;
        return result;
    }

    /// <summary>One call: each question spoken word by word, its interims (when <paramref name="offered"/> is given) as their words are heard, then the turn.</summary>
    private async Task SpeakCallAsync(
        AccountId account, Guid agent, string[] questions, ConcurrentBag<InterimOutcome>? offered, bool speak, int wordMs,
        IReadOnlyList<double> cuts, ConcurrentBag<Asked> asked, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.For(account);
        var callService = scope.ServiceProvider.GetRequiredService<CallService>();
        var orchestrator = scope.ServiceProvider.GetRequiredService<CallOrchestrator>();
        var interims = scope.ServiceProvider.GetRequiredService<InterimTranscripts>();
        var call = await callService.StartAsync(agent, null, "in", ct);
        foreach (var q in questions)
        {
            var heard = 0;
            foreach (var (text, words) in offered is null ? new List<(string Text, int Words)>() : InterimsOf(q, cuts))
            {
                await Task.Delay(TimeSpan.FromMilliseconds((words - heard) * wordMs), time, ct);
                heard = words;
                offered!.Add(await interims.OfferAsync(call.Id, text, ct));
            }
            await Task.Delay(TimeSpan.FromMilliseconds((q.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length - heard) * wordMs), time, ct);
            var started = Stopwatch.GetTimestamp();
            var turn = await orchestrator.TakeTurnAsync(call.Id, q, speak, ct);
            asked.Add(new Asked(q, turn, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
        await callService.EndAsync(call.Id, ct);
    }

    private Dictionary<string, object> SummariseInterim(List<Asked> with, List<Asked> without, List<InterimOutcome> offered, int concurrency, int wordMs)
    {
        static Dictionary<string, LatencySummary> Stages(List<Asked> run)
        {
            var uncached = run.Where(a => !a.Turn.Cached).ToList();
            return new()
            {
                ["embed"] = LatencySummary.Of(uncached.Select(a => a.Turn.Timings.EmbedMs).ToArray()),
                ["search"] = LatencySummary.Of(uncached.Select(a => a.Turn.Timings.SearchMs).ToArray()),
                ["prefetch"] = LatencySummary.Of(uncached.Select(a => a.Turn.Timings.PrefetchMs).ToArray()),
                ["total"] = LatencySummary.Of(uncached.Select(a => a.Turn.Timings.TotalMs).ToArray()),
                ["callerWait"] = LatencySummary.Of(run.Select(a => a.WaitMs).ToArray()),
            };
        }
        var withStages = Stages(with);
        var withoutStages = Stages(without);
        var uncachedWith = with.Where(a => !a.Turn.Cached).ToList();
        var prefetched = uncachedWith.Where(a => a.Turn.PrefetchMatch is not null).ToList();
        // What the final's own search ranked first, from the run without interims (same words, same knowledge).
        var ownFirst = without.Where(a => a.Turn.Sources.Count > 0).GroupBy(a => a.Question)
            .ToDictionary(g => g.Key, g => g.First().Turn.Sources[0].Title, StringComparer.Ordinal);
        var compared = prefetched.Where(a => ownFirst.ContainsKey(a.Question)).ToList();
        var agree = compared.Count(a => a.Turn.Sources.Count > 0 && a.Turn.Sources[0].Title == ownFirst[a.Question]);
        double Saved(string stage, Func<LatencySummary, double> at) => Math.Round(at(withoutStages[stage]) - at(withStages[stage]), 3);
        return new Dictionary<string, object>
        {
            ["turns"] = with.Count,
            ["concurrency"] = concurrency,
            ["wordMs"] = wordMs,
            ["reuseSimilarity"] = services.GetRequiredService<IOptions<CallOptions>>().Value.InterimReuseSimilarity,
            ["interimsSent"] = offered.Count,
            ["interimsStarted"] = offered.Count(o => o.Started),
            ["interimsRefused"] = offered.Where(o => !o.Started).GroupBy(o => o.Reason ?? "").ToDictionary(g => g.Key, g => g.Count()),
            ["uncachedTurns"] = uncachedWith.Count,
            ["prefetched"] = prefetched.Count,
            ["exactHits"] = prefetched.Count(a => a.Turn.PrefetchMatch == "exact"),
            ["similarHits"] = prefetched.Count(a => a.Turn.PrefetchMatch == "similar"),
            ["hitRate"] = uncachedWith.Count == 0 ? 0 : Math.Round(prefetched.Count / (double)uncachedWith.Count, 4),
            ["firstSourceAgreement"] = compared.Count == 0 ? 0 : Math.Round(agree / (double)compared.Count, 4),
            ["withInterim"] = withStages,
            ["withoutInterim"] = withoutStages,
            ["savedMs"] = new Dictionary<string, double>
            {
                ["searchP50"] = Saved("search", s => s.P50Ms),
                ["searchP99"] = Saved("search", s => s.P99Ms),
                ["totalP50"] = Saved("total", s => s.P50Ms),
                ["totalP99"] = Saved("total", s => s.P99Ms),
            },
            ["degraded"] = with.Concat(without).SelectMany(a => a.Turn.Degraded).GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count()),
        };
    }
}
