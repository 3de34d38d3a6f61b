using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Data;

namespace Parley.Embeddings;

public static class EmbeddingsHostingExtensions
{
    /// <summary>Registers the configured embedding generator and the <see cref="VectorSchema"/> it implies.</summary>
    public static IHostApplicationBuilder AddParleyEmbeddings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddingOptions>()
            .BindConfiguration(EmbeddingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.IsLocal || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey),
                "Parley:Embeddings:Provider 'openai' needs Parley:Embeddings:ApiKey or Parley:Embeddings:BaseUrl.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() ?? new EmbeddingOptions();
        builder.Services.AddSingleton(new VectorSchema(options.EffectiveModel, options.EffectiveDimensions));
        return builder;
    }
}
