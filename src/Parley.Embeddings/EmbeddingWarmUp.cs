using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Parley.Embeddings;

/// <summary>
/// Loads the model and runs it once at start, so the first caller's turn is not the slow one
/// (unless <c>Parley:Embeddings:WarmUp</c> is off: commands and tests that embed on demand).
/// </summary>
internal sealed class EmbeddingWarmUp(
    IServiceProvider services, EmbeddingReadiness readiness, IOptions<EmbeddingOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WarmUp)
        {
            return;
        }
        // Resolved only now: building the local generator loads the model, which is what is skipped when off.
        var generator = services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(
            EmbeddingsHostingExtensions.UncachedKey);
        try
        {
            await generator.GenerateAsync(["warm up"], cancellationToken: cancellationToken);
            readiness.Ready = true;
        }
        catch (HttpRequestException)
        {
            // A remote provider that is down at start is reported by /health/ready, not fatal.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
