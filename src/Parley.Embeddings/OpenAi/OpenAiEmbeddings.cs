using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Parley.Embeddings.OpenAi;

/// <summary>
/// Any OpenAI-compatible embeddings endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM) through
/// Microsoft.Extensions.AI. Retries with exponential backoff on 429 and 5xx, and the per-request
/// timeout, are the OpenAI client pipeline's own (ClientRetryPolicy, NetworkTimeout): no loop of ours.
/// </summary>
internal static class OpenAiEmbeddings
{
    public static IEmbeddingGenerator<string, Embedding<float>> Create(EmbeddingOptions options, HttpClient? httpClient = null)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(maxRetries: options.MaxRetries),
        };
        if (options.BaseUrl is not null)
        {
            clientOptions.Endpoint = options.BaseUrl;
        }
        if (httpClient is not null)
        {
            clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        }
        var client = new OpenAIClient(new ApiKeyCredential(options.ApiKey ?? "unused"), clientOptions);
        return client.GetEmbeddingClient(options.EffectiveModel).AsIEmbeddingGenerator(options.EffectiveDimensions);
    }
}
