using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Audio;

namespace Parley.Calls.Providers;

/// <summary>
/// The OpenAI SDK's audio client for any OpenAI-compatible server (OpenAI, Azure OpenAI's v1 API,
/// vLLM, LocalAI, speaches): base URL configurable, retries as configured (none by default: the
/// stage's budget cancels the request, and that is the timeout that matters).
/// </summary>
internal static class OpenAiAudio
{
    public static AudioClient Create(Uri? baseUrl, string? apiKey, string model, int maxRetries)
    {
        var options = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries) };
        if (baseUrl is not null)
        {
            options.Endpoint = baseUrl;
        }
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "unused" : apiKey), options).GetAudioClient(model);
    }
}
