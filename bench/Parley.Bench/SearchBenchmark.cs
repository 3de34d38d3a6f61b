using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge;
using Parley.Knowledge.Search;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>
/// Recall as a contract: a skewed multi-tenant corpus of clustered vectors, the exact top-10 by brute
/// force in C#, and Parley's per-tenant plans against the design's naive plan (one global HNSW index
/// plus a tenant filter, returning the same columns), per tenant-size class, at concurrency 1 and 16.
/// </summary>
/// <remarks>
/// Parley's schema has no global HNSW index (docs/scaling.md), so the naive plan's index is built after
/// Parley's figures are taken and dropped at the end: each plan is measured on the schema it needs.
/// The naive plan runs on a pool of the design's own (no auto-preparation, server defaults), as its
/// node-postgres query would: prepared, its generic plan would scan large tenants exactly. After the
/// bulk load the table is analysed, as autovacuum would do a little later, so that neither plan is
/// measured on the statistics of an empty table. Both plans are warmed up first (every query once at concurrency 16), so neither pays for cold
/// caches, first-time plans or unprepared statements inside its figures.
/// </remarks>
public sealed partial class SearchBenchmark(IServiceProvider services)
{
    private const int K = 10;
    private static readonly int[] SweepEfSearch = [20, 40, 60, 80, 100, 150, 200];
    private static readonly string[] Classes = ["small", "medium", "large"];

    private sealed record Tenant(AccountId Id, string Class, int[] Topics, List<(Guid Id, float[] Vector)> Rows);

    private sealed record Query(Tenant Tenant, float[] Vector, HashSet<Guid> Exact);

    private delegate Task<List<Guid>> Plan(Tenant tenant, float[] query, CancellationToken cancellationToken);

    /// <param name="sweep">Also measure the recall/latency curve of both plans over ef_search 20–200.</param>
    public async Task<Dictionary<string, object>> RunAsync(int chunks, int tenantCount, int queriesPerClass, bool keep, bool sweep, CancellationToken cancellationToken)
    {
        var vector = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
        var search = services.GetRequiredService<KnowledgeSearch>();
        // The live options object KnowledgeSearch reads: the sweep turns its ef_search knob between runs.
        var options = services.GetRequiredService<IOptions<KnowledgeOptions>>().Value;
        var corpus = new SyntheticCorpus(services.GetRequiredService<VectorSchema>().Dimensions, topics: 400, seed: 42);
        var tenants = PlanTenants(chunks, tenantCount, corpus);
        var queries = PlanQueries(tenants, queriesPerClass, corpus);
        var total = tenants.Sum(t => t.Rows.Count);
        var result = new Dictionary<string, object>
        {
            ["chunks"] = total, ["tenants"] = tenants.Count, ["largeTenantThreshold"] = options.LargeTenantChunks, ["efSearch"] = options.EfSearch,
        };

        double copyRate = 0, indexSeconds = 0;
        await ProgressAsync(async ctx =>
        {
            copyRate = await LoadAsync(vector, tenants, ctx.AddTask($"COPY {total:N0} chunks", maxValue: total), cancellationToken);
            await AnalyzeAsync(vector, ctx.AddTask("ANALYZE knowledge_chunks", maxValue: 1), cancellationToken);
            indexSeconds = await BuildTenantIndexesAsync(ctx, cancellationToken);
        });

        Plan parley = async (t, q, ct) => (await search.SearchAsync(t.Id, new SearchRequest("bench", K), q, ct)).Results.Select(r => r.ChunkId).ToList();
        var curve = new List<SweepPoint>();
        result["parley"] = await MeasurePlanAsync("parley", parley, queries, copyRate, cancellationToken);
        if (sweep)
        {
            var configured = options.EfSearch;
            foreach (var ef in SweepEfSearch)
            {
                options.EfSearch = ef;
                curve.Add(await SweepAsync("parley", "large", ef, parley, queries["large"], cancellationToken));
            }
            options.EfSearch = configured;
        }

        double naiveIndexSeconds = 0, naiveRate = 0;
        await ProgressAsync(async ctx => naiveIndexSeconds = await BuildNaiveIndexAsync(vector, ctx.AddTask("the naive plan's global HNSW index", maxValue: 1), cancellationToken));
        await using var design = DesignDataSource();
        Plan naive = (t, q, ct) => NaiveSearchAsync(design, t.Id, q, null, ct);
        var naiveResult = await MeasurePlanAsync("naive", naive, queries, 0, cancellationToken);
        if (sweep)
        {
            foreach (var ef in SweepEfSearch)
            {
                foreach (var cls in Classes.Where(queries.ContainsKey))
                {
                    curve.Add(await SweepAsync("naive", cls, ef, (t, q, ct) => NaiveSearchAsync(design, t.Id, q, ef, ct), queries[cls], cancellationToken));
                }
            }
            result["efSweep"] = curve;
        }

        var large = tenants.Where(t => t.Class == "large").DefaultIfEmpty(tenants.MaxBy(t => t.Rows.Count)!).First();
        result["exactScanP50Ms"] = (await ExactScanAsync(vector, large, corpus, cancellationToken)).P50Ms;
        result["exactScanRows"] = large.Rows.Count;
        // Last: the sample's rows would otherwise sit in the large tenant's graph and results.
        await ProgressAsync(async ctx => naiveRate = await NaiveInsertRateAsync(vector, large, corpus, 2000, ctx.AddTask("naive INSERTs (2 000-row sample)", maxValue: 2000), cancellationToken));
        naiveResult["ingestChunksPerSecond"] = Math.Round(naiveRate, 1);
        result["naive"] = naiveResult;
        result["tenantIndexBuildSeconds"] = Math.Round(indexSeconds, 1);
        result["naiveIndexBuildSeconds"] = Math.Round(naiveIndexSeconds, 1);
        if (!keep)
        {
            await DropNaiveIndexAsync(vector, cancellationToken);
            await DeleteAccountsAsync(vector, tenants, cancellationToken);
        }
        return result;
    }

    private static Task ProgressAsync(Func<ProgressContext, Task> work) =>
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(work);

    private async Task<double> BuildTenantIndexesAsync(ProgressContext ctx, CancellationToken cancellationToken)
    {
        var maintainer = services.GetRequiredService<TenantIndexMaintainer>();
        var task = ctx.AddTask("partial HNSW indexes of large tenants", maxValue: 1);
        var sw = Stopwatch.StartNew();
        await maintainer.RunOnceAsync(new Progress<(int Built, int Due)>(p =>
        {
            task.MaxValue = Math.Max(1, p.Due);
            task.Value = p.Built;
        }), cancellationToken);
        task.Value = task.MaxValue;
        return sw.Elapsed.TotalSeconds;
    }

    private static List<Tenant> PlanTenants(int chunks, int count, SyntheticCorpus corpus)
    {
        var largeCount = Math.Max(1, count / 300);
        var mediumCount = Math.Max(1, count / 25);
        var smallCount = Math.Max(1, count - largeCount - mediumCount);
        var tenants = new List<Tenant>();
        void Add(string cls, int n, int each)
        {
            for (var i = 0; i < n; i++)
            {
                var topics = corpus.TopicsForTenant(cls == "small" ? 2 : cls == "medium" ? 5 : 20);
                var rows = Enumerable.Range(0, Math.Max(5, each)).Select(_ => (Guid.CreateVersion7(), corpus.Near(topics, 0.9))).ToList();
                tenants.Add(new Tenant(AccountId.New(), cls, topics, rows));
            }
        }
        Add("large", largeCount, (int)(chunks * 0.6 / largeCount));
        Add("medium", mediumCount, (int)(chunks * 0.3 / mediumCount));
        Add("small", smallCount, (int)(chunks * 0.1 / smallCount));
        return tenants;
    }

    /// <summary>The query vectors drawn in order (the corpus is seeded), their exact top-10 by brute force on all cores.</summary>
    private static Dictionary<string, List<Query>> PlanQueries(List<Tenant> tenants, int perClass, SyntheticCorpus corpus) =>
        tenants.GroupBy(t => t.Class).ToDictionary(g => g.Key, g =>
        {
            var members = g.ToList();
            var drawn = Enumerable.Range(0, perClass).Select(i => members[i % members.Count]).Select(t => (Tenant: t, Vector: corpus.Near(t.Topics, 0.9))).ToList();
            return drawn.AsParallel().AsOrdered().Select(d => new Query(d.Tenant, d.Vector,
                d.Tenant.Rows.OrderByDescending(r => SyntheticCorpus.Dot(r.Vector, d.Vector)).Take(K).Select(r => r.Id).ToHashSet())).ToList();
        });

    /// <summary>Every class and all of them together, at concurrency 1 and 16, after a warm-up pass.</summary>
    private static async Task<Dictionary<string, object>> MeasurePlanAsync(string name, Plan plan, Dictionary<string, List<Query>> queries, double ingestRate, CancellationToken cancellationToken)
    {
        var all = queries.Values.SelectMany(q => q).ToList();
        await MeasureAsync(all, plan, 16, cancellationToken);
        var perClass = new Dictionary<string, object>();
        foreach (var cls in Classes.Where(queries.ContainsKey).Append("all"))
        {
            var qs = cls == "all" ? all : queries[cls];
            var (recall, single, qps) = await MeasureAsync(qs, plan, 1, cancellationToken);
            var (_, sixteen, qps16) = await MeasureAsync(qs, plan, 16, cancellationToken);
            perClass[cls] = new ClassResult(Math.Round(recall, 4), single.P50Ms, single.P95Ms, single.P99Ms, Math.Round(qps, 1), sixteen.P50Ms, sixteen.P99Ms, Math.Round(qps16, 1));
        }
        perClass["ingestChunksPerSecond"] = Math.Round(ingestRate, 1);
        AnsiConsole.MarkupLineInterpolated($"[grey]measured the {name} plan[/]");
        return perClass;
    }

    private static async Task<SweepPoint> SweepAsync(string plan, string cls, int ef, Plan run, List<Query> queries, CancellationToken cancellationToken)
    {
        await MeasureAsync(queries, run, 16, cancellationToken);
        var (recall, single, _) = await MeasureAsync(queries, run, 1, cancellationToken);
        var (_, sixteen, _) = await MeasureAsync(queries, run, 16, cancellationToken);
        return new SweepPoint(plan, cls, ef, Math.Round(recall, 4), single.P50Ms, single.P99Ms, sixteen.P50Ms, sixteen.P99Ms);
    }

    private static async Task<(double Recall, LatencySummary Latency, double Qps)> MeasureAsync(List<Query> queries, Plan run, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var recalls = new ConcurrentBag<double>();
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(queries, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (q, ct) =>
        {
            var t = Stopwatch.GetTimestamp();
            var ids = await run(q.Tenant, q.Vector, ct);
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            recalls.Add(ids.Count(q.Exact.Contains) / (double)Math.Min(K, q.Exact.Count));
        });
        return (recalls.Average(), LatencySummary.Of(latencies.ToArray()), queries.Count / sw.Elapsed.TotalSeconds);
    }
}
