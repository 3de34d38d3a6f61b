using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Parley.Domain.Knowledge;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;
using Parley.Knowledge.Search;

namespace Parley.Knowledge;

public static class KnowledgeHostingExtensions
{
    /// <summary>
    /// Ingestion, search, background ingestion jobs and the tenant index maintainer, all on the vector pool;
    /// publishes the <c>Parley.Knowledge</c> meter to the host's OpenTelemetry metrics.
    /// </summary>
    /// <param name="maintainIndexes">Run the tenant index maintainer in this process.</param>
    /// <param name="runJobs">Run an ingestion job worker in this process (default: as <paramref name="maintainIndexes"/>;
    /// <c>Parley:Knowledge:Jobs:Worker</c> can still turn it off).</param>
    public static IHostApplicationBuilder AddParleyKnowledge(this IHostApplicationBuilder builder, bool maintainIndexes = true, bool? runJobs = null)
    {
        builder.Services.AddOptions<KnowledgeOptions>()
            .BindConfiguration(KnowledgeOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ChunkOverlap < o.ChunkTokens, "Parley:Knowledge:ChunkOverlap must be smaller than ChunkTokens.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<KnowledgeMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(KnowledgeMetrics.MeterName));
        builder.Services.AddSingleton<TenantPlanner>();
        builder.Services.AddSingleton<KnowledgeSearch>();
        builder.Services.AddSingleton<IKnowledgeSearch>(sp => sp.GetRequiredService<KnowledgeSearch>());
        builder.Services.AddSingleton<KnowledgeIngestion>();
        builder.Services.AddSingleton<KnowledgeDocuments>();
        builder.Services.AddSingleton<IKnowledgeVersions, KnowledgeVersions>();
        builder.Services.AddSingleton<TenantIndexMaintainer>();
        builder.Services.AddSingleton<TenantWarmer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TenantWarmer>());
        builder.Services.AddSingleton<Maintenance.ReEmbedder>();
        builder.Services.AddOptions<IngestionJobOptions>()
            .BindConfiguration(IngestionJobOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.HeartbeatMilliseconds < o.LeaseSeconds * 1000 / 2,
                "Parley:Knowledge:Jobs:HeartbeatMilliseconds must be under half of LeaseSeconds, or a live worker loses its jobs.")
            .ValidateOnStart();
        builder.Services.AddOptions<ExtractionOptions>()
            .BindConfiguration(ExtractionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ExtractionSandbox>();
        builder.Services.AddHostedService<ExtractionWarmUp>();
        builder.Services.AddSingleton<IngestionJobStore>();
        builder.Services.AddSingleton<IngestionJobWorker>();
        builder.Services.AddSingleton<KnowledgeUploads>();
        if (runJobs ?? maintainIndexes)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestionJobWorker>());
        }
        if (maintainIndexes)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TenantIndexMaintainer>());
        }
        return builder;
    }
}
