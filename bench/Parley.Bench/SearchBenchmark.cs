using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Search;
using Pgvector;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>Figures of one plan on one tenant-size class.</summary>
public sealed record ClassResult(double RecallAt10, double P50Ms, double P95Ms, double P99Ms, double Qps, double P50MsAt16, double P99MsAt16, double QpsAt16);

/// <summary>
/// Recall as a contract: a skewed multi-tenant corpus of clustered vectors, the exact top-10 by brute
/// force in C#, and Parley's per-tenant plans against the design's naive plan (one global HNSW index
/// plus a tenant filter, rows inserted one by one), per tenant-size class, at concurrency 1 and 16.
/// </summary>
public sealed class SearchBenchmark(IServiceProvider services)
{
    private const int K = 10;
    private sealed record Tenant(AccountId Id, string Class, int[] Topics, List<(Guid Id, float[] Vector)> Rows);

    public async Task<Dictionary<string, object>> RunAsync(int chunks, int tenantCount, int queriesPerClass, bool keep, CancellationToken cancellationToken)
    {
        var vector = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
        var ingestion = services.GetRequiredService<KnowledgeIngestion>();
        var search = services.GetRequiredService<KnowledgeSearch>();
        var maintainer = services.GetRequiredService<TenantIndexMaintainer>();
        var threshold = services.GetRequiredService<IOptions<KnowledgeOptions>>().Value.LargeTenantChunks;
        var dims = services.GetRequiredService<VectorSchema>().Dimensions;
        var corpus = new SyntheticCorpus(dims, topics: 400, seed: 42);
        var tenants = PlanTenants(chunks, tenantCount, corpus);
        var result = new Dictionary<string, object> { ["chunks"] = tenants.Sum(t => t.Rows.Count), ["tenants"] = tenants.Count, ["largeTenantThreshold"] = threshold };

        double copyRate = 0, naiveRate = 0, indexSeconds = 0;
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var load = ctx.AddTask($"COPY {result["chunks"]} chunks", maxValue: tenants.Count);
                await CreateAccountsAsync(vector, tenants, cancellationToken);
                var sw = Stopwatch.StartNew();
                foreach (var t in tenants)
                {
                    foreach (var (part, i) in t.Rows.Chunk(5000).Select((p, i) => (p, i)))
                    {
                        var rows = part.Select((r, o) => new KnowledgeIngestion.ChunkRow(r.Id, o, $"synthetic chunk {o}", "{}", r.Vector)).ToList();
                        await ingestion.WriteAsync(TenantScope.For(t.Id), Guid.CreateVersion7(), new IngestRequest($"bench-{i}", $"bench {i}", new Knowledge.Extraction.ExtractedDocument(null, [])),
                            [(byte)i], "{}", rows, cancellationToken);
                    }
                    load.Increment(1);
                }
                copyRate = (int)result["chunks"] / sw.Elapsed.TotalSeconds;

                var naive = ctx.AddTask("naive INSERTs (2 000-row sample)", maxValue: 2000);
                naiveRate = await NaiveInsertRateAsync(vector, tenants[^1], corpus, 2000, naive, cancellationToken);

                var index = ctx.AddTask("partial HNSW indexes of large tenants", maxValue: 1);
                sw.Restart();
                await maintainer.RunOnceAsync(cancellationToken);
                indexSeconds = sw.Elapsed.TotalSeconds;
                index.Increment(1);
            });

        var classes = tenants.GroupBy(t => t.Class).ToDictionary(g => g.Key, g => g.ToList());
        var queries = classes.ToDictionary(c => c.Key, c => Enumerable.Range(0, queriesPerClass).Select(i =>
        {
            var t = c.Value[i % c.Value.Count];
            var q = corpus.Near(t.Topics, 0.9);
            var exact = t.Rows.OrderByDescending(r => SyntheticCorpus.Dot(r.Vector, q)).Take(K).Select(r => r.Id).ToHashSet();
            return (Tenant: t, Query: q, Exact: exact);
        }).ToList());

        var plans = new Dictionary<string, Func<Tenant, float[], CancellationToken, Task<List<Guid>>>>
        {
            ["parley"] = async (t, q, ct) => (await search.SearchAsync(t.Id, new SearchRequest("bench", K), q, ct)).Results.Select(r => r.ChunkId).ToList(),
            ["naive"] = (t, q, ct) => NaiveSearchAsync(vector, t.Id, q, ct),
        };
        foreach (var (plan, run) in plans)
        {
            var perClass = new Dictionary<string, ClassResult>();
            foreach (var cls in queries.Keys.Append("all"))
            {
                var qs = cls == "all" ? queries.Values.SelectMany(x => x).ToList() : queries[cls];
                var (recall, single, qps) = await MeasureAsync(qs.Select(x => (x.Tenant, x.Query, x.Exact)).ToList(), run, 1, cancellationToken);
                var (_, sixteen, qps16) = await MeasureAsync(qs.Select(x => (x.Tenant, x.Query, x.Exact)).ToList(), run, 16, cancellationToken);
                perClass[cls] = new ClassResult(Math.Round(recall, 4), single.P50Ms, single.P95Ms, single.P99Ms, Math.Round(qps, 1), sixteen.P50Ms, sixteen.P99Ms, Math.Round(qps16, 1));
            }
            result[plan] = new Dictionary<string, object>(perClass.Select(kv => new KeyValuePair<string, object>(kv.Key, kv.Value)))
            {
                ["ingestChunksPerSecond"] = Math.Round(plan == "parley" ? copyRate : naiveRate, 1),
            };
        }
        var large = classes.GetValueOrDefault("large") ?? classes.Values.OrderByDescending(c => c.Max(t => t.Rows.Count)).First();
        result["exactScanP50Ms"] = (await ExactScanAsync(vector, large[0], corpus, cancellationToken)).P50Ms;
        result["exactScanRows"] = large[0].Rows.Count;
        result["tenantIndexBuildSeconds"] = Math.Round(indexSeconds, 1);
        if (!keep)
        {
            await DeleteAccountsAsync(vector, tenants, cancellationToken);
        }
        return result;
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

    private static async Task<(double Recall, LatencySummary Latency, double Qps)> MeasureAsync(
        List<(Tenant Tenant, float[] Query, HashSet<Guid> Exact)> queries, Func<Tenant, float[], CancellationToken, Task<List<Guid>>> run, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var recalls = new ConcurrentBag<double>();
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(queries, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (q, ct) =>
        {
            var t = Stopwatch.GetTimestamp();
            var ids = await run(q.Tenant, q.Query, ct);
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            recalls.Add(ids.Count(q.Exact.Contains) / (double)Math.Min(K, q.Exact.Count));
        });
        return (recalls.Average(), LatencySummary.Of(latencies.ToArray()), queries.Count / sw.Elapsed.TotalSeconds);
    }

    /// <summary>The design's query: the global HNSW index, a tenant filter, default ef_search.</summary>
    private static async Task<List<Guid>> NaiveSearchAsync(NpgsqlDataSource ds, AccountId account, float[] q, CancellationToken cancellationToken)
    {
        await using var batch = ds.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT id FROM knowledge_chunks WHERE account_id = $1 ORDER BY embedding <=> $2 LIMIT 10")
        {
            Parameters = { new() { Value = account.Value }, new() { Value = new Vector(q) } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    private static async Task<LatencySummary> ExactScanAsync(NpgsqlDataSource ds, Tenant t, SyntheticCorpus corpus, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var q = corpus.Near(t.Topics, 0.9);
            await using var batch = ds.ForTenant(t.Id).CreateBatch();
            batch.Add(new NpgsqlBatchCommand("SELECT id FROM knowledge_chunks WHERE account_id = $1 ORDER BY (embedding <=> $2) + 0 LIMIT 10")
            {
                Parameters = { new() { Value = t.Id.Value }, new() { Value = new Vector(q) } },
            });
            var sw = Stopwatch.StartNew();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                }
            }
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return LatencySummary.Of(samples);
    }

    /// <summary>Rows inserted one by one, each its own round trip and commit, as the design's generator does.</summary>
    private static async Task<double> NaiveInsertRateAsync(NpgsqlDataSource ds, Tenant t, SyntheticCorpus corpus, int count, ProgressTask progress, CancellationToken cancellationToken)
    {
        var doc = Guid.CreateVersion7();
        await using var conn = await ds.ForTenant(t.Id).OpenConnectionAsync(cancellationToken);
        await using (var d = new NpgsqlCommand("INSERT INTO knowledge_documents (account_id, id, source, title, content_hash) VALUES ($1, $2, 'naive', 'naive', '\\x00')", conn))
        {
            d.Parameters.Add(new() { Value = t.Id.Value });
            d.Parameters.Add(new() { Value = doc });
            await d.ExecuteNonQueryAsync(cancellationToken);
        }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await using var cmd = new NpgsqlCommand("INSERT INTO knowledge_chunks (account_id, id, document_id, ordinal, content, embedding, embedding_model) VALUES ($1, $2, $3, $4, 'naive', $5, 'synthetic')", conn);
            cmd.Parameters.Add(new() { Value = t.Id.Value });
            cmd.Parameters.Add(new() { Value = Guid.CreateVersion7() });
            cmd.Parameters.Add(new() { Value = doc });
            cmd.Parameters.Add(new() { Value = i });
            cmd.Parameters.Add(new() { Value = new Vector(corpus.Near(t.Topics, 0.9)) });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            progress.Increment(1);
        }
        var rate = count / sw.Elapsed.TotalSeconds;
        await using (var del = new NpgsqlCommand("DELETE FROM knowledge_documents WHERE account_id = $1 AND id = $2", conn))
        {
            del.Parameters.Add(new() { Value = t.Id.Value });
            del.Parameters.Add(new() { Value = doc });
            await del.ExecuteNonQueryAsync(cancellationToken);
        }
        return rate;
    }

    private static async Task CreateAccountsAsync(NpgsqlDataSource ds, List<Tenant> tenants, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("INSERT INTO accounts (id, name, plan, language, created_at, updated_at) SELECT unnest($1::uuid[]), 'bench', 'starter', 'english', now(), now()", conn);
        cmd.Parameters.Add(new() { Value = tenants.Select(t => t.Id.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task DeleteAccountsAsync(NpgsqlDataSource ds, List<Tenant> tenants, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        foreach (var t in tenants.Where(t => t.Class == "large"))
        {
            await using var drop = new NpgsqlCommand($"DROP INDEX IF EXISTS {TenantIndexMaintainer.IndexName(t.Id)}", conn);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var cmd = new NpgsqlCommand("DELETE FROM accounts WHERE id = ANY($1)", conn) { CommandTimeout = 0 };
        cmd.Parameters.Add(new() { Value = tenants.Select(t => t.Id.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
