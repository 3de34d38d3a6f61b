using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Calls.Conversation;
using Parley.Bench.FollowUps;
using Parley.Cli;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>
/// <c>parley bench followups [--dialogues N] [--corpus FILE] [--json FILE]</c>: two-turn dialogues played
/// as real calls against a server started here, once with the follow-up rewrite and once without
/// (<c>Parley__Calls__RewriteFollowUps=false</c>): hit@3 of the second turn, and the rewrite's p50/p99.
/// </summary>
internal sealed class BenchFollowUpsCommand : AsyncCommand<BenchFollowUpsCommand.Settings>
{
    internal sealed class Settings : BenchSettings
    {
        [CommandOption("--dialogues <N>")]
        public int? Dialogues { get; init; }

        [CommandOption("--corpus <FILE>")]
        public string? Corpus { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Dialogues is < 1 or > 10_000 ? Spectre.Console.ValidationResult.Error("--dialogues must be between 1 and 10 000")
            : Corpus is not null && !File.Exists(Corpus) ? Spectre.Console.ValidationResult.Error($"--corpus: no file '{Corpus}'")
            : Spectre.Console.ValidationResult.Success();
    }

    private const string Demo = "demo";
    private const string Debian = "debianReference";

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var quality = BenchLoadCommand.RepositoryFolder(Path.Combine("bench", "Parley.Bench", "Quality"));
        var corpusFile = settings.Corpus ?? DebianReference.DefaultPaths.FirstOrDefault(File.Exists)
            ?? throw new CliException("The Debian Reference is not installed (apt-get install debian-reference-en), or pass --corpus FILE.", CliApp.Failed);
        var all = FollowUpDialogue.Interleave(
            [FollowUpDialogue.Load(Path.Combine(quality, "followups-demo.json"), Demo), FollowUpDialogue.Load(Path.Combine(quality, "followups-debian.json"), Debian)],
            settings.Dialogues ?? int.MaxValue);
        var chapters = all.Where(d => d.Corpus == Debian).Select(d => DebianReference.ChapterOf(d.Answer)
            ?? throw new CliException($"'{d.Answer}' is not a numbered subsection of the Debian Reference.", CliApp.Failed)).ToHashSet();
        var corpora = new List<CorpusToLoad>
        {
            new(Demo, Directory.GetFiles(BenchLoadCommand.DemoKnowledgeFolder(), "*.md").Order(StringComparer.Ordinal).ToList(), []),
        };
        if (chapters.Count > 0)
        {
            corpora.Add(new CorpusToLoad(Debian, [], DebianReference.Read(corpusFile, chapters)));
        }
        var missing = all.Where(d => d.Corpus == Debian && !corpora[^1].Sections.Any(s => s.Title == d.Answer)).Select(d => d.Answer).ToList();
        if (missing.Count > 0)
        {
            throw new CliException($"Not a section of {corpusFile}: {string.Join(", ", missing)}", CliApp.Failed);
        }

        var adminKey = Environment.GetEnvironmentVariable("Parley__AdminKey") ?? BenchLoadCommand.ReadAdminKeyFile()
            ?? "padm_bench_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        // The rewrite's own cost, before any server shares the cores: a turn's rewriteMs on a busy node also
        // holds whatever preempted it, and with 90 turns its p99 is one turn.
        var rewriteAlone = TimeRewrites(all);
        Dictionary<string, BenchTenant> tenants = [];
        var on = await RunModeAsync(true, adminKey, corpora, tenants, all, cancellationToken);
        var off = await RunModeAsync(false, adminKey, corpora, tenants, all, cancellationToken);
        var result = FollowUpResult.Of(on, off, corpora.ToDictionary(c => c.Name, c => c.Files.Count + c.Sections.Count), rewriteAlone);
        await settings.ReportAsync(result.Markdown(), result, cancellationToken);
        return CliApp.Ok;
    }

    private static LatencySummary TimeRewrites(IReadOnlyList<FollowUpDialogue> dialogues, int rounds = 200)
    {
        var samples = new List<double>(dialogues.Count * rounds * 2);
        for (var round = -1; round < rounds; round++)
        {
            foreach (var d in dialogues)
            {
                foreach (var (text, previous) in new[] { (d.First, Array.Empty<string>()), (d.FollowUp, new[] { d.First }) })
                {
                    var started = Stopwatch.GetTimestamp();
                    _ = FollowUpRewriter.Rewrite(text, previous);
                    if (round >= 0)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
            }
        }
        return LatencySummary.Of(samples);
    }

    /// <summary>
    /// One server per mode: the setting is the server's, and each starts with an empty answer cache, so
    /// the second run cannot be answered from the first's. The budgets are raised: on two shared cores a
    /// cold or busy model would miss the 150 ms embed budget and fall back to full-text search, and this
    /// measures what the rewrite does to retrieval, not how the machine is loaded.
    /// </summary>
    private static async Task<IReadOnlyList<PlayedDialogue>> RunModeAsync(bool rewrite, string adminKey, IReadOnlyList<CorpusToLoad> corpora,
        Dictionary<string, BenchTenant> tenants, IReadOnlyList<FollowUpDialogue> dialogues, CancellationToken cancellationToken)
    {
        var (server, _) = await BenchLoadCommand.StartServerAsync(adminKey, cancellationToken, new Dictionary<string, string>
        {
            ["Parley__Calls__RewriteFollowUps"] = rewrite ? "true" : "false",
            ["Parley__Calls__EmbedBudgetMs"] = "5000",
            ["Parley__Calls__SearchBudgetMs"] = "5000",
            ["Parley__Calls__TurnBudgetMs"] = "20000",
        });
        try
        {
            foreach (var corpus in corpora.Where(c => !tenants.ContainsKey(c.Name)))
            {
                tenants[corpus.Name] = await FollowUpTenants.EnsureAsync(server.BaseUrl, adminKey, Path.Combine(ParleyHome.Path, "bench-followups.json"), corpus,
                    line => Console.Error.WriteLine($"parley: {line}"), cancellationToken);
            }
            using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
            var player = new FollowUpPlayer(http, tenants);
            // Not counted: the first turns of a process load the model.
            foreach (var warm in dialogues.DistinctBy(d => d.Corpus).ToList())
            {
                await player.PlayAsync(warm with { First = "Hello?", FollowUp = "Are you there?" }, cancellationToken);
            }
            Console.Error.WriteLine($"parley: {dialogues.Count} dialogues, rewrite {(rewrite ? "on" : "off")}");
            return await player.PlayAsync(dialogues, cancellationToken);
        }
        finally
        {
            await server.StopAsync(TimeSpan.FromSeconds(20));
            await server.DisposeAsync();
        }
    }
}
