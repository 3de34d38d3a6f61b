using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Parley.Data;

namespace Parley.Embeddings;

/// <summary>
/// The embedding model has answered once. The start-up warm-up normally sets that; when warm-up is off
/// (or a remote provider was down at start) the check embeds one word itself, so readiness follows the
/// model instead of staying false until the first caller.
/// </summary>
internal sealed class EmbeddingModelHealthCheck(
    [FromKeyedServices(EmbeddingsHostingExtensions.UncachedKey)] IEmbeddingGenerator<string, Embedding<float>> generator,
    EmbeddingReadiness readiness,
    VectorSchema schema) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.Ready)
        {
            try
            {
                var probe = await generator.GenerateAsync(["ready"], cancellationToken: cancellationToken);
                readiness.Ready = probe.Count == 1 && probe[0].Vector.Length == schema.Dimensions;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"{schema.Model} did not answer: {e.Message}");
            }
        }
        return readiness.Ready
            ? HealthCheckResult.Healthy($"{schema.Model} ({schema.Dimensions} dimensions)")
            : HealthCheckResult.Unhealthy($"{schema.Model} answered with the wrong dimension");
    }
}
