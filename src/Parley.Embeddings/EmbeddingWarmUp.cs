using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Parley.Embeddings;

/// <summary>Loads the model and runs it once at start, so the first caller's turn is not the slow one.</summary>
internal sealed class EmbeddingWarmUp(
    [FromKeyedServices(EmbeddingsHostingExtensions.UncachedKey)] IEmbeddingGenerator<string, Embedding<float>> generator,
    EmbeddingReadiness readiness) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
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
