using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Domain.Knowledge;
using Parley.Knowledge.Search;
using Parley.LocalPostgres;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>
/// <c>bench search --cold</c>: the first search of each tenant after PostgreSQL restarted, without and with the
/// warm a call start runs (<see cref="TenantWarmer"/>). A restart empties shared buffers; the OS page cache
/// stays (emptying it takes root and drops every other process's cache too), so "cold" here is a read from
/// memory through the kernel, not from disk: a lower bound of what a warm saves.
/// </summary>
/// <remarks>
/// Each round restarts the cluster twice, once per mode, which mode goes first alternating. After each restart
/// the pools are cleared and one connection is opened, as a running server would hold; then, in the warm mode,
/// every tenant is warmed in turn (as their calls start), and then every tenant searches once.
/// </remarks>
public sealed partial class SearchBenchmark
{
    public async Task<Dictionary<string, object>> RunColdAsync(
        LocalCluster cluster, int chunks, int tenantCount, int rounds, bool keep, CancellationToken cancellationToken)
    {
        var vector = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
        var search = services.GetRequiredService<KnowledgeSearch>();
        var warmer = services.GetRequiredService<TenantWarmer>();
        var corpus = new SyntheticCorpus(services.GetRequiredService<VectorSchema>().Dimensions, topics: 400, seed: 43);
        var tenants = PlanTenants(chunks, tenantCount, corpus);
        await ProgressAsync(async ctx =>
        {
            await LoadAsync(vector, tenants, ctx.AddTask($"COPY {tenants.Sum(t => t.Rows.Count):N0} chunks", maxValue: tenants.Sum(t => t.Rows.Count)), cancellationToken);
            await VacuumAnalyzeAsync(vector, ctx.AddTask("VACUUM (ANALYZE) knowledge_chunks", maxValue: 1), cancellationToken);
            await BuildTenantIndexesAsync(ctx, cancellationToken);
        });
        var samples = new Dictionary<(string Mode, string Class), List<double>>();
        var warmMs = new Dictionary<string, List<double>>();
        var kinds = new Dictionary<string, string>();
        try
        {
            await ProgressAsync(async ctx =>
            {
                var progress = ctx.AddTask($"{rounds} rounds of 2 restarts, {tenants.Count} first searches each", maxValue: rounds * 2);
                for (var round = 0; round < rounds; round++)
                {
                    var queries = tenants.Select(t => corpus.Near(t.Topics, 0.9)).ToList();
                    foreach (var warm in round % 2 == 0 ? new[] { false, true } : [true, false])
                    {
                        await RestartAsync(cluster, cancellationToken);
                        if (warm)
                        {
                            foreach (var t in tenants)
                            {
                                var started = Stopwatch.GetTimestamp();
                                var warmth = await warmer.WarmAsync(t.Id, cancellationToken);
                                Add(warmMs, t.Class, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                                kinds[t.Class] = warmth.Kind;
                            }
                        }
                        foreach (var (t, q) in tenants.Zip(queries))
                        {
                            var started = Stopwatch.GetTimestamp();
                            await search.SearchAsync(t.Id, new SearchRequest("bench", K), q, cancellationToken);
                            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                            Add(samples, (warm ? "warm" : "cold", t.Class), ms);
                            Add(samples, (warm ? "warm" : "cold", "all"), ms);
                        }
                        progress.Increment(1);
                    }
                }
            });
        }
        finally
        {
            if (!keep)
            {
                await DeleteAccountsAsync(vector, tenants, CancellationToken.None);
            }
        }
        var classes = new Dictionary<string, object>();
        foreach (var cls in Classes.Append("all").Where(c => samples.ContainsKey(("cold", c))))
        {
            classes[cls] = new Dictionary<string, object>
            {
                ["tenants"] = cls == "all" ? tenants.Count : tenants.Count(t => t.Class == cls),
                ["chunksPerTenant"] = cls == "all" ? tenants.Sum(t => t.Rows.Count) / tenants.Count : tenants.First(t => t.Class == cls).Rows.Count,
                ["warmKind"] = kinds.GetValueOrDefault(cls, "mixed"),
                ["cold"] = LatencySummary.Of(samples[("cold", cls)]),
                ["warm"] = LatencySummary.Of(samples[("warm", cls)]),
                ["warmMs"] = LatencySummary.Of(cls == "all" ? warmMs.Values.SelectMany(v => v).ToList() : warmMs[cls]),
            };
        }
        return new Dictionary<string, object>
        {
            ["chunks"] = tenants.Sum(t => t.Rows.Count), ["tenants"] = tenants.Count, ["rounds"] = rounds, ["classes"] = classes,
        };
    }

    private static void Add<TKey>(Dictionary<TKey, List<double>> into, TKey key, double value) where TKey : notnull
    {
        if (!into.TryGetValue(key, out var list))
        {
            into[key] = list = [];
        }
        list.Add(value);
    }

    /// <summary>Restarts the cluster (shared buffers empty), drops the pools' dead connections and opens one again.</summary>
    private async Task RestartAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        await cluster.StopAsync(cancellationToken);
        await cluster.EnsureStartedAsync(cancellationToken);
        foreach (var key in new[] { DataSourceKeys.Vector, DataSourceKeys.VectorRead, DataSourceKeys.Transactional, DataSourceKeys.Platform })
        {
            services.GetKeyedService<NpgsqlDataSource>(key)?.Clear();
        }
        await using var cmd = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector).CreateCommand("SELECT 1");
        await cmd.ExecuteScalarAsync(cancellationToken);
    }
}
