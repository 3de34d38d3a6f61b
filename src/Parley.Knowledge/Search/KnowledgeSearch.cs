using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Parley.Data;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Pgvector;

namespace Parley.Knowledge.Search;

/// <summary>
/// The design's RAGService on the raw driver: one runner builds every vector query (tenant predicate
/// always in), one round trip per search (tenant + pgvector settings + query in one batch), and the
/// plan chosen per tenant by <see cref="TenantPlanner"/>.
/// </summary>
public sealed partial class KnowledgeSearch(
    ReadRouting routing,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    TenantPlanner planner,
    IOptions<KnowledgeOptions> options,
    VectorSchema schema,
    KnowledgeMetrics metrics,
    IEnumerable<ISearchObserver> observers) : IKnowledgeSearch
{
    public const int MaxQueryLength = 2000;

    /// <summary>Candidates of each half of a hybrid search at least (the fusion's constants are tuned for it, see SearchSql).</summary>
    private const int HybridCandidates = 40;

    /// <summary>The strategy recorded for a search its caller's budget cancelled.</summary>
    public const string CutOffStrategy = "cut-off";

    /// <summary>The strategy of a full-text-only search (no vector, so no per-tenant vector plan).</summary>
    public const string FullTextStrategy = "fulltext";

    public async Task<SearchResponse> SearchAsync(AccountId account, SearchRequest request, CancellationToken cancellationToken)
    {
        Validate(request, queryRequired: true);
        if (request.Mode == SearchMode.FullText)
        {
            // Nothing to embed: the text is the whole query.
            return await SearchAsync(account, request, ReadOnlyMemory<float>.Empty, cancellationToken);
        }
        var started = Stopwatch.GetTimestamp();
        var embedding = (await embeddings.GenerateAsync([request.Query],
            new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingProperties.Account] = account.ToString() } }, cancellationToken))[0];
        var embedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        var response = await RunAsync(account, request, embedding.Vector, cancellationToken);
        var timings = new SearchTimings(embedMs, response.Timings.SearchMs, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3));
        // The caching generator marks what a cache tier served (tier 1 or 2; 0 = computed by the model).
        var cached = embedding.AdditionalProperties?.TryGetValue(EmbeddingProperties.CacheTier, out var tier) == true && tier is int t && t > 0;
        Observe(account, new SearchObservation(timings.SearchMs, embedMs, timings.TotalMs, cached, response.Strategy, response.Results.Count));
        return response with { Timings = timings };
    }

    /// <summary>
    /// With the query vector given, the text is needed only by hybrid mode (for its full-text half);
    /// full-text mode needs the text only and ignores the vector.
    /// </summary>
    public async Task<SearchResponse> SearchAsync(AccountId account, SearchRequest request, ReadOnlyMemory<float> queryVector, CancellationToken cancellationToken)
    {
        Validate(request, queryRequired: request.Mode != SearchMode.Vector, request.Mode == SearchMode.FullText ? NoVector : queryVector);
        var started = Stopwatch.GetTimestamp();
        SearchResponse response;
        try
        {
            response = await RunAsync(account, request, queryVector, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A turn's search budget cut this search off. Record how long it ran anyway: otherwise the
            // slowest searches, the ones inside calls, would never reach the records nor raise HIGH_LATENCY.
            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.Searched(account, CutOffStrategy, request.Mode.ToString().ToLowerInvariant(), elapsed);
            var ms = Math.Round(elapsed.TotalMilliseconds, 3);
            Observe(account, new SearchObservation(ms, null, ms, null, CutOffStrategy, 0));
            throw;
        }
        // The caller embedded the query (a phone turn): its embedding time and cache tier are not ours to report.
        Observe(account, new SearchObservation(response.Timings.SearchMs, null, response.Timings.SearchMs, null, response.Strategy, response.Results.Count));
        return response;
    }

    /// <summary>Reports a search to the monitoring side (per-search records, latency alerts); observers only queue.</summary>
    private void Observe(AccountId account, SearchObservation observation)
    {
        foreach (var o in observers)
        {
            o.Searched(account, observation);
        }
    }

    /// <summary>The search itself; callers have validated the request.</summary>
    private async Task<SearchResponse> RunAsync(AccountId account, SearchRequest request, ReadOnlyMemory<float> queryVector, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var (plan, refresh) = planner.Lookup(account);
            var search = Prepare(account, request, queryVector, plan, refresh, explain: false);
            await using (search.Batch)
            {
                List<SearchHit> results;
                TenantPlan ran;
                try
                {
                    (results, ran) = await ReadAsync(account, search, request, cancellationToken);
                }
                catch (NpgsqlException e) when (attempt == 1 && DatabaseErrors.IsConnectionLoss(e) && !cancellationToken.IsCancellationRequested)
                {
                    // The server under the pooled connection went away (a standby stopped, the primary
                    // restarted). Npgsql has marked that host offline and emptied its pool, so a second
                    // try reaches another standby or the primary. A search only reads: retrying is safe.
                    continue;
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                var planned = request.Mode == SearchMode.FullText ? FullTextStrategy : ran.Strategy;
                var strategy = request.Mode == SearchMode.Hybrid ? $"hybrid-{planned}" : planned;
                metrics.Searched(account, planned, request.Mode.ToString().ToLowerInvariant(), elapsed);
                var ms = Math.Round(elapsed.TotalMilliseconds, 3);
                return new SearchResponse(results, new SearchTimings(0, ms, ms), strategy);
            }
        }
    }

    /// <summary>The rows of the query, and the plan that ran (for a tenant not seen yet: the one its facts, read in the same batch, name).</summary>
    private async Task<(List<SearchHit> Results, TenantPlan Ran)> ReadAsync(AccountId account, PreparedSearch search, SearchRequest request, CancellationToken cancellationToken)
    {
        var results = new List<SearchHit>(request.TopK);
        await using var reader = await search.Batch.ExecuteReaderAsync(cancellationToken);
        await SkipToQueryAsync(reader, search, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var similarity = reader.GetDouble(5);
            if (request.MinSimilarity is { } min && similarity < min)
            {
                continue;
            }
            // jsonb straight into a JsonElement: no text cast at the server, no string in between.
            results.Add(new SearchHit(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<JsonElement>(4), Math.Round(similarity, 6)));
        }
        var ran = search.Plan;
        if (search.Refresh && await reader.NextResultAsync(cancellationToken))
        {
            var fresh = await planner.ReadRefreshAsync(account, reader, cancellationToken);
            ran = ReferenceEquals(search.Plan, TenantPlanner.Unknown) ? fresh : search.Plan;
        }
        return (results, ran);
    }

    /// <summary>The <c>EXPLAIN (ANALYZE, BUFFERS)</c> of exactly the statement a search runs, for the admin playground.</summary>
    public async Task<string> ExplainAsync(AccountId account, SearchRequest request, ReadOnlyMemory<float> queryVector, CancellationToken cancellationToken)
    {
        Validate(request, queryRequired: request.Mode != SearchMode.Vector, request.Mode == SearchMode.FullText ? NoVector : queryVector);
        var plan = await planner.PlanAsync(account, cancellationToken);
        var search = Prepare(account, request, queryVector, plan, refresh: false, explain: true);
        await using (search.Batch)
        {
            var text = new StringBuilder();
            await using var reader = await search.Batch.ExecuteReaderAsync(cancellationToken);
            await SkipToQueryAsync(reader, search, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                text.AppendLine(reader.GetString(0));
            }
            return text.ToString();
        }
    }

    /// <summary>One search's batch: the tenant prologue, the pgvector settings of an HNSW plan, the query, and the tenant's facts when due.</summary>
    private sealed record PreparedSearch(TenantPlan Plan, bool Settings, bool Refresh, TenantBatch Batch);

    /// <summary>
    /// Every statement text here is one of a few fixed ones (per mode and plan form; the literal-tenant
    /// form once per large tenant), so Npgsql's auto-preparation (the vector pool's connection string)
    /// parses and plans each once per connection.
    /// </summary>
    private PreparedSearch Prepare(AccountId account, SearchRequest request, ReadOnlyMemory<float> queryVector, TenantPlan plan, bool refresh, bool explain)
    {
        var fullText = request.Mode == SearchMode.FullText;
        if (!fullText && queryVector.Length != schema.Dimensions)
        {
            throw new ArgumentException($"The query vector has {queryVector.Length} dimensions; this knowledge base holds {schema.Dimensions}.");
        }
        var sql = SearchSql.Build(account, plan.LiteralTenant, request.Mode, filtered: request.Filter is not null);
        // Hybrid fuses two rankings: give each more candidates than k so fusion has something to choose from.
        var candidates = request.Mode == SearchMode.Hybrid ? Math.Max(request.TopK * 4, HybridCandidates) : request.TopK;
        var batch = routing.For(account).ForTenant(account).CreateBatch();
        // Full text reads no vector, so it needs no HNSW settings.
        var settings = plan.LiteralTenant && !fullText;
        if (settings)
        {
            // hnsw.ef_search below the LIMIT silently returns fewer rows. Without a metadata filter every
            // row of the tenant's own index qualifies, so the first ef_search candidates hold the top-k
            // and iterative scans only cost time; with a filter they keep going past the rows it drops.
            batch.Add(new NpgsqlBatchCommand(SearchSql.HnswSettings)
            {
                Parameters =
                {
                    new() { Value = Math.Max(options.Value.EfSearch, candidates).ToString(CultureInfo.InvariantCulture) },
                    new() { Value = request.Filter is null ? "off" : "strict_order" },
                    // A tenant not seen yet may have no index: its sort is the exact scan, keep it.
                    new() { Value = plan.Strategy == TenantPlan.HnswTenant ? "off" : "on" },
                },
            });
        }
        var query = new NpgsqlBatchCommand(explain ? "EXPLAIN (ANALYZE, BUFFERS) " + sql : sql);
        query.Parameters.Add(new NpgsqlParameter { Value = account.Value });
        // Full text has no vector: a typed null, because PostgreSQL cannot type a parameter the statement never uses.
        query.Parameters.Add(fullText
            ? new NpgsqlParameter { DataTypeName = "vector", Value = DBNull.Value }
            : new NpgsqlParameter { Value = new Vector(queryVector) });
        query.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = request.Filter is { } f ? f.GetRawText() : DBNull.Value });
        query.Parameters.Add(new NpgsqlParameter { Value = candidates });
        query.Parameters.Add(new NpgsqlParameter { Value = request.Mode == SearchMode.Hybrid ? SearchText.OrQuery(request.Query) : request.Query ?? "" });
        query.Parameters.Add(new NpgsqlParameter { Value = request.TopK });
        // A tenant not seen yet: the statement reads its configuration from its account row.
        query.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = ReferenceEquals(plan, TenantPlanner.Unknown) ? DBNull.Value : plan.Language });
        // A quoted phrase is the caller asking for exact words: its match counts as much as the vector's.
        query.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Double, Value = SearchText.HasPhrase(request.Query) ? 1.0 : 0.5 });
        batch.Add(query);
        if (refresh)
        {
            batch.Add(TenantPlanner.RefreshCommand(account));
        }
        return new PreparedSearch(plan, settings, refresh, batch);
    }

    /// <summary>The tenant batch starts past its scope's row; the settings of an HNSW plan return one more before the query's.</summary>
    private static async Task SkipToQueryAsync(NpgsqlDataReader reader, PreparedSearch search, CancellationToken cancellationToken)
    {
        if (search.Settings)
        {
            await reader.NextResultAsync(cancellationToken);
        }
    }
}
