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
/// Parley's schema has no global HNSW index (docs/scaling.md), so the naive plan gets a table of its
/// own: the same rows copied into the design's layout (id, tenant, content, metadata, vector; the same
/// row-level security), one global HNSW index over it. Were it to query knowledge_chunks, its custom
/// plans, which name the tenant as a constant, would be served by Parley's partial indexes. It runs
/// on a pool of the design's own (no auto-preparation, server defaults), as its node-postgres query
/// would: prepared, its generic plan would scan large tenants exactly. After the bulk load the table is
/// vacuumed and analysed, as autovacuum would do a little later (in the middle of a measurement,
/// walking every HNSW graph). Both plans are warmed up (every query once at concurrency 16) and then
/// take turns on the same queries, so both see the same machine.
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
            await VacuumAnalyzeAsync(vector, ctx.AddTask("VACUUM (ANALYZE) knowledge_chunks", maxValue: 1), cancellationToken);
            indexSeconds = await BuildTenantIndexesAsync(ctx, cancellationToken);
        });

        double naiveIndexSeconds = 0, naiveRate = 0;
        await ProgressAsync(async ctx =>
        {
            await CopyToNaiveTableAsync(vector, tenants, corpus.Dimensions, ctx.AddTask($"the naive plan's table ({total:N0} rows)", maxValue: 1), cancellationToken);
            naiveIndexSeconds = await BuildNaiveIndexAsync(vector, ctx.AddTask("the naive plan's global HNSW index", maxValue: 1), cancellationToken);
        });
        await using var design = DesignDataSource();
        Plan parley = async (t, q, ct) => (await search.SearchAsync(t.Id, new SearchRequest("bench", K), q, ct)).Results.Select(r => r.ChunkId).ToList();
        Plan naive = (t, q, ct) => NaiveSearchAsync(design, t.Id, q, null, ct);
        var (parleyResult, naiveResult) = await MeasurePlansAsync(parley, naive, queries, copyRate, cancellationToken);
        result["parley"] = parleyResult;
        if (sweep)
        {
            var curve = new List<SweepPoint>();
            var configured = options.EfSearch;
            foreach (var ef in SweepEfSearch)
            {
                options.EfSearch = ef;
                foreach (var cls in Classes.Where(queries.ContainsKey))
                {
                    // Parley's small and medium tenants are scanned exactly: ef_search changes nothing there.
                    var (p, n) = await SweepAsync(cls, ef, cls == "large" ? parley : null, (t, q, ct) => NaiveSearchAsync(design, t.Id, q, ef, ct), queries[cls], cancellationToken);
                    curve.AddRange(p is null ? [n] : [p, n]);
                }
            }
            options.EfSearch = configured;
            result["efSweep"] = curve;
        }

        var large = tenants.Where(t => t.Class == "large").DefaultIfEmpty(tenants.MaxBy(t => t.Rows.Count)!).First();
        result["exactScanP50Ms"] = (await ExactScanAsync(vector, large, corpus, cancellationToken)).P50Ms;
        result["exactScanRows"] = large.Rows.Count;
        // Last: the sample's rows would otherwise sit in the large tenant's graph and results.
        await ProgressAsync(async ctx => naiveRate = await NaiveInsertRateAsync(design, large, corpus, 2000, ctx.AddTask("naive INSERTs (2 000-row sample)", maxValue: 2000), cancellationToken));
        naiveResult["ingestChunksPerSecond"] = Math.Round(naiveRate, 1);
        result["naive"] = naiveResult;
        result["tenantIndexBuildSeconds"] = Math.Round(indexSeconds, 1);
        result["naiveIndexBuildSeconds"] = Math.Round(naiveIndexSeconds, 1);
        if (!keep)
        {
            await DropNaiveTableAsync(vector, cancellationToken);
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

    /// <summary>
    /// Every class and all of them together, at concurrency 1 and 16, after a warm-up pass. The two
    /// plans take turns on slices of the same queries (which goes first alternates), so both see the
    /// same machine: on shared cores the load drifts more between two runs than the plans differ.
    /// </summary>
    private static async Task<(Dictionary<string, object> Parley, Dictionary<string, object> Naive)> MeasurePlansAsync(
        Plan parley, Plan naive, Dictionary<string, List<Query>> queries, double ingestRate, CancellationToken cancellationToken)
    {
        var all = queries.Values.SelectMany(q => q).ToList();
        await RunAsync(all, parley, 16, cancellationToken);
        await RunAsync(all, naive, 16, cancellationToken);
        var (p, n) = (new Dictionary<string, object>(), new Dictionary<string, object>());
        foreach (var cls in Classes.Where(queries.ContainsKey).Append("all"))
        {
            var qs = cls == "all" ? all : queries[cls];
            var (p1, n1) = await MeasurePairAsync(qs, parley, naive, 1, cancellationToken);
            var (p16, n16) = await MeasurePairAsync(qs, parley, naive, 16, cancellationToken);
            p[cls] = Result(p1, p16);
            n[cls] = Result(n1, n16);
        }
        p["ingestChunksPerSecond"] = Math.Round(ingestRate, 1);
        AnsiConsole.MarkupLine("[grey]measured both plans[/]");
        return (p, n);
    }

    private static ClassResult Result((double Recall, LatencySummary Latency, double Qps) one, (double Recall, LatencySummary Latency, double Qps) sixteen) =>
        new(Math.Round(one.Recall, 4), one.Latency.P50Ms, one.Latency.P95Ms, one.Latency.P99Ms, Math.Round(one.Qps, 1),
            sixteen.Latency.P50Ms, sixteen.Latency.P99Ms, Math.Round(sixteen.Qps, 1));

    private static async Task<(SweepPoint? Parley, SweepPoint Naive)> SweepAsync(string cls, int ef, Plan? parley, Plan naive, List<Query> queries, CancellationToken cancellationToken)
    {
        SweepPoint Point(string plan, (double Recall, LatencySummary Latency, double Qps) one, (double Recall, LatencySummary Latency, double Qps) sixteen) =>
            new(plan, cls, ef, Math.Round(one.Recall, 4), one.Latency.P50Ms, one.Latency.P99Ms, sixteen.Latency.P50Ms, sixteen.Latency.P99Ms);
        var first = parley ?? naive;
        await RunAsync(queries, first, 16, cancellationToken);
        var (p1, n1) = await MeasurePairAsync(queries, first, naive, 1, cancellationToken);
        var (p16, n16) = await MeasurePairAsync(queries, first, naive, 16, cancellationToken);
        return (parley is null ? null : Point("parley", p1, p16), Point("naive", n1, n16));
    }

    /// <summary>Both plans on the same queries, slice by slice; a plan measured against itself runs once.</summary>
    private static async Task<((double Recall, LatencySummary Latency, double Qps) A, (double Recall, LatencySummary Latency, double Qps) B)> MeasurePairAsync(
        List<Query> queries, Plan a, Plan b, int concurrency, CancellationToken cancellationToken)
    {
        var slice = Math.Max(10, concurrency * 2);
        var (la, lb) = (new List<double>(), new List<double>());
        var (ra, rb) = (new List<double>(), new List<double>());
        double secondsA = 0, secondsB = 0;
        foreach (var (part, i) in queries.Chunk(slice).Select((p, i) => (p.ToList(), i)))
        {
            foreach (var which in i % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                if (which == 1 && ReferenceEquals(a, b))
                {
                    continue;
                }
                var (recall, latencies, seconds) = await RunAsync(part, which == 0 ? a : b, concurrency, cancellationToken);
                (which == 0 ? la : lb).AddRange(latencies);
                (which == 0 ? ra : rb).AddRange(recall);
                if (which == 0) { secondsA += seconds; } else { secondsB += seconds; }
            }
        }
        if (ReferenceEquals(a, b))
        {
            (lb, rb, secondsB) = (la, ra, secondsA);
        }
        return ((ra.Average(), LatencySummary.Of(la), queries.Count / secondsA), (rb.Average(), LatencySummary.Of(lb), queries.Count / secondsB));
    }

    private static async Task<(List<double> Recalls, List<double> Latencies, double Seconds)> RunAsync(List<Query> queries, Plan run, int concurrency, CancellationToken cancellationToken)
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
        return ([.. recalls], [.. latencies], sw.Elapsed.TotalSeconds);
    }

}
