using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Search;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>
/// Retrieval quality: caller-style questions over public documents, each with the passage that
/// answers it (a phrase of it, which the answering chunk must contain), asked in vector and in hybrid
/// mode with the same query vector. A question's rank is that of the first of the top 5 results
/// holding its phrase; hit@k and MRR (over the top 5) follow. The question sets are
/// <c>Quality/questions.json</c>: the Debian Reference (Debian's <c>debian-reference-en</c> package)
/// and Parley's demo knowledge base.
/// </summary>
public sealed partial class QualityBenchmark(IServiceProvider services)
{
    private const int TopK = 5;
    private static readonly SearchMode[] Modes = [SearchMode.Vector, SearchMode.Hybrid];

    private sealed record QuestionSet(string Name, string Description, string Folder, string Files, string[] Exclude, Question[] Questions);

    private sealed record Question(string Text, string Answer);

    private sealed record Asked(string Set, string Question, SearchMode Mode, int Rank, double SearchMs);

    /// <param name="folders">A set's documents elsewhere than its default folder (set name → folder).</param>
    /// <param name="repositoryRoot">Where relative folders (the demo knowledge base) are found.</param>
    public async Task<Dictionary<string, object>> RunAsync(IReadOnlyDictionary<string, string> folders, string repositoryRoot, CancellationToken cancellationToken)
    {
        var vector = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
        var ingestion = services.GetRequiredService<KnowledgeIngestion>();
        var search = services.GetRequiredService<IKnowledgeSearch>();
        var embeddings = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var sets = LoadSets();
        var accounts = sets.ToDictionary(s => s.Name, _ => AccountId.New());
        await CreateAccountsAsync(vector, accounts.Values, cancellationToken);
        var asked = new List<Asked>();
        try
        {
            foreach (var set in sets)
            {
                var folder = folders.GetValueOrDefault(set.Name) ?? (Path.IsPathRooted(set.Folder) ? set.Folder : Path.Combine(repositoryRoot, set.Folder));
                var account = accounts[set.Name];
                await IngestAsync(ingestion, account, set, folder, cancellationToken);
                await CheckAnswersExistAsync(vector, account, set, cancellationToken);
                foreach (var q in set.Questions)
                {
                    var query = (await embeddings.GenerateAsync([q.Text], cancellationToken: cancellationToken))[0].Vector;
                    foreach (var mode in Modes)
                    {
                        var response = await search.SearchAsync(account, new SearchRequest(q.Text, TopK, Mode: mode), query, cancellationToken);
                        var rank = response.Results.Select((r, i) => (r, i)).FirstOrDefault(x => Contains(x.r.Content, q.Answer), (null!, -1)).i + 1;
                        asked.Add(new Asked(set.Name, q.Text, mode, rank, response.Timings.SearchMs));
                    }
                }
            }
        }
        finally
        {
            await DeleteAccountsAsync(vector, accounts.Values, CancellationToken.None);
        }
        return Summarise(sets, asked);
    }

    private static Dictionary<string, object> Summarise(List<QuestionSet> sets, List<Asked> asked)
    {
        static Dictionary<string, object> Scores(IEnumerable<Asked> rows)
        {
            var list = rows.ToList();
            double HitAt(int k) => Math.Round(list.Count(a => a.Rank >= 1 && a.Rank <= k) / (double)list.Count, 4);
            return new Dictionary<string, object>
            {
                ["questions"] = list.Count,
                ["hitAt1"] = HitAt(1), ["hitAt3"] = HitAt(3), ["hitAt5"] = HitAt(5),
                ["mrr"] = Math.Round(list.Sum(a => a.Rank > 0 ? 1.0 / a.Rank : 0) / list.Count, 4),
                ["p50SearchMs"] = LatencySummary.Of(list.Select(a => a.SearchMs).ToArray()).P50Ms,
            };
        }
        var result = new Dictionary<string, object> { ["questions"] = sets.Sum(s => s.Questions.Length), ["topK"] = TopK };
        foreach (var mode in Modes)
        {
            result[Name(mode)] = Scores(asked.Where(a => a.Mode == mode));
        }
        result["sets"] = sets.ToDictionary(s => s.Name, s => (object)new Dictionary<string, object>(
            Modes.Select(m => new KeyValuePair<string, object>(Name(m), Scores(asked.Where(a => a.Set == s.Name && a.Mode == m)))))
        {
            ["description"] = s.Description,
        });
        // Where the two modes disagree: what hybrid found that vector missed, and the reverse.
        result["differences"] = asked.GroupBy(a => (a.Set, a.Question))
            .Select(g => (g.Key, Vector: g.Single(a => a.Mode == SearchMode.Vector).Rank, Hybrid: g.Single(a => a.Mode == SearchMode.Hybrid).Rank))
            .Where(x => x.Vector != x.Hybrid)
            .Select(x => (object)new Dictionary<string, object> { ["set"] = x.Key.Set, ["question"] = x.Key.Question, ["vectorRank"] = x.Vector, ["hybridRank"] = x.Hybrid })
            .ToList();
        return result;
    }

    public static string Name(SearchMode mode) => mode.ToString().ToLowerInvariant();

    private static List<QuestionSet> LoadSets()
    {
        using var stream = typeof(QualityBenchmark).Assembly.GetManifestResourceStream("Parley.Bench.Quality.questions.json")
            ?? throw new InvalidOperationException("the question sets are not embedded in Parley.Bench");
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("sets").EnumerateArray().Select(s => new QuestionSet(
            s.GetProperty("name").GetString()!, s.GetProperty("description").GetString()!, s.GetProperty("folder").GetString()!,
            s.GetProperty("files").GetString()!, s.GetProperty("exclude").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            s.GetProperty("questions").EnumerateArray().Select(q => new Question(q.GetProperty("question").GetString()!, q.GetProperty("answer").GetString()!)).ToArray())).ToList();
    }

    private static async Task IngestAsync(KnowledgeIngestion ingestion, AccountId account, QuestionSet set, string folder, CancellationToken cancellationToken)
    {
        var files = Directory.Exists(folder)
            ? Directory.GetFiles(folder, set.Files).Where(f => !set.Exclude.Contains(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No documents of the set '{set.Name}' in {folder} ({set.Files}): {set.Description}. scripts/bootstrap.sh installs them.");
        }
        var sw = Stopwatch.StartNew();
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"ingest {set.Name} ({files.Count} files)", maxValue: files.Count);
                foreach (var file in files)
                {
                    var doc = TextExtractor.Extract(file, null, await File.ReadAllBytesAsync(file, cancellationToken), null);
                    await ingestion.IngestAsync(account, new IngestRequest(Path.GetFileName(file), doc.Title ?? Path.GetFileNameWithoutExtension(file), doc), null, cancellationToken);
                    task.Increment(1);
                }
            });
        AnsiConsole.MarkupLineInterpolated($"[grey]{set.Name}: {files.Count} files ingested in {sw.Elapsed.TotalSeconds:F1} s[/]");
    }

    /// <summary>A question whose phrase no chunk holds could never be a hit: the set is wrong (or chunking changed), say so.</summary>
    private static async Task CheckAnswersExistAsync(NpgsqlDataSource ds, AccountId account, QuestionSet set, CancellationToken cancellationToken)
    {
        var contents = new List<string>();
        await using (var batch = ds.ForTenant(TenantScope.For(account)).CreateBatch())
        {
            batch.Add(new NpgsqlBatchCommand("SELECT content FROM knowledge_chunks WHERE account_id = $1") { Parameters = { new() { Value = account.Value } } });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                contents.Add(reader.GetString(0));
            }
        }
        var missing = set.Questions.Where(q => !contents.Any(c => Contains(c, q.Answer))).Select(q => q.Answer).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No chunk of the set '{set.Name}' holds the answer of {missing.Count} question(s): {string.Join(" | ", missing)}");
        }
    }

    private static bool Contains(string content, string answer) =>
        Normalise(content).Contains(Normalise(answer), StringComparison.OrdinalIgnoreCase);

    private static string Normalise(string text) => Whitespace().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static async Task CreateAccountsAsync(NpgsqlDataSource ds, IEnumerable<AccountId> accounts, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("INSERT INTO accounts (id, name, plan, language, created_at, updated_at) SELECT unnest($1::uuid[]), 'bench-quality', 'starter', 'english', now(), now()", conn);
        cmd.Parameters.Add(new() { Value = accounts.Select(a => a.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task DeleteAccountsAsync(NpgsqlDataSource ds, IEnumerable<AccountId> accounts, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("DELETE FROM accounts WHERE id = ANY($1)", conn);
        cmd.Parameters.Add(new() { Value = accounts.Select(a => a.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
