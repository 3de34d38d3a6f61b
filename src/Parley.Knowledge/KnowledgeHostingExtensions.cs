using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Domain.Knowledge;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Search;

namespace Parley.Knowledge;

public static class KnowledgeHostingExtensions
{
    /// <summary>Ingestion, search and the tenant index maintainer, all on the vector pool.</summary>
    public static IHostApplicationBuilder AddParleyKnowledge(this IHostApplicationBuilder builder, bool maintainIndexes = true)
    {
        builder.Services.AddOptions<KnowledgeOptions>()
            .BindConfiguration(KnowledgeOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ChunkOverlap < o.ChunkTokens, "Parley:Knowledge:ChunkOverlap must be smaller than ChunkTokens.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<KnowledgeMetrics>();
        builder.Services.AddSingleton<TenantPlanner>();
        builder.Services.AddSingleton<KnowledgeSearch>();
        builder.Services.AddSingleton<IKnowledgeSearch>(sp => sp.GetRequiredService<KnowledgeSearch>());
        builder.Services.AddSingleton<KnowledgeIngestion>();
        builder.Services.AddSingleton<KnowledgeDocuments>();
        builder.Services.AddSingleton<TenantIndexMaintainer>();
        builder.Services.AddSingleton<Maintenance.ReEmbedder>();
        if (maintainIndexes)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<TenantIndexMaintainer>());
        }
        return builder;
    }
}
