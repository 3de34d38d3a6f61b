using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Parley.Data;
using Parley.Domain;
using Parley.Embeddings.Caching;
using Parley.Embeddings.Local;
using Parley.Embeddings.OpenAi;

namespace Parley.Embeddings;

public static class EmbeddingsHostingExtensions
{
    /// <summary>The provider's own generator, before the cache; resolve it only to bypass the cache (benchmarks).</summary>
    public const string UncachedKey = "parley-embeddings-uncached";

    /// <summary>
    /// Registers <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> (the configured provider behind the
    /// two-tier cache) and the <see cref="VectorSchema"/> it implies; publishes the <c>Parley.Embeddings</c>
    /// meter to the host's OpenTelemetry metrics, and the <c>embedding-model</c> readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddParleyEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>()
            .BindConfiguration(EmbeddingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.IsLocal || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey),
                "Parley:Embeddings:Provider 'openai' needs Parley:Embeddings:ApiKey or Parley:Embeddings:BaseUrl.")
            .ValidateOnStart();
        // Everything below reads the bound options when resolved, so the section is read once, and validated.
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return new VectorSchema(o.EffectiveModel, o.EffectiveDimensions);
        });
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<EmbeddingMetrics>();
        builder.Services.AddSingleton(sp => new ModelQueueWait(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        // Only registers the meter's name: the host that adds the OpenTelemetry SDK exports it, others pay nothing.
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(EmbeddingMetrics.MeterName));
        builder.Services.AddHealthChecks()
            .AddCheck<EmbeddingModelHealthCheck>("embedding-model", tags: [HealthTags.Ready],
                timeout: TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<EmbeddingReadiness>();
        builder.Services.AddSingleton<EmbeddingCacheStore>();
        // Idle when the persistent cache is off: nothing is ever queued to it then.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddingCacheStore>());
        builder.Services.AddHostedService<EmbeddingCachePruner>();
        builder.Services.AddHttpClient("parley-embeddings");

        builder.Services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(UncachedKey, (sp, _) =>
        {
            var o = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return o.IsLocal
                ? new LocalMiniLmGenerator(sp.GetRequiredService<ILogger<LocalMiniLmGenerator>>(), o.LocalSessions, o.LocalRuntime,
                    o.LocalBatching, sp.GetRequiredService<ModelQueueWait>(), sp.GetService<TimeProvider>())
                : OpenAiEmbeddings.Create(o, sp.GetRequiredService<IHttpClientFactory>().CreateClient("parley-embeddings"));
        });
        builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return new CachingEmbeddingGenerator(
                sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(UncachedKey),
                o.EffectiveModel, o.Provider,
                new LruCache<string, float[]>(o.CacheEntries),
                o.PersistentCache ? sp.GetRequiredService<EmbeddingCacheStore>() : null,
                sp.GetRequiredService<EmbeddingMetrics>());
        });
        // Deleting a document forgets its chunks' vectors (the knowledge side calls it through Parley.Domain).
        builder.Services.AddSingleton(sp =>
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>() as IEmbeddingCachePurge ?? NoCache.Instance);
        builder.Services.AddHostedService<EmbeddingWarmUp>();
        return builder;
    }

    /// <summary>A generator a test put in place of the caching one has no cache to purge.</summary>
    private sealed class NoCache : IEmbeddingCachePurge
    {
        public static readonly IEmbeddingCachePurge Instance = new NoCache();

        public Task PurgeAsync(AccountId account, IReadOnlyList<string> texts, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
