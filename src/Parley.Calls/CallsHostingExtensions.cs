using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenAI;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;

namespace Parley.Calls;

public static class CallsHostingExtensions
{
    /// <summary>The turn pipeline, its providers (local by default), the answer cache and the call-log writer.</summary>
    public static IHostApplicationBuilder AddParleyCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallOptions>().BindConfiguration(CallOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var llmOptions = builder.Configuration.GetSection("Parley:Llm").Get<ProviderOptions>() ?? new ProviderOptions();
        var ttsOptions = builder.Configuration.GetSection("Parley:Tts").Get<ProviderOptions>() ?? new ProviderOptions();
        if (!llmOptions.IsLocal && llmOptions.BaseUrl is null && string.IsNullOrEmpty(llmOptions.ApiKey))
        {
            throw new InvalidOperationException("Parley:Llm:Provider 'openai' needs Parley:Llm:BaseUrl or Parley:Llm:ApiKey.");
        }

        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ExtractiveAnswerGenerator>();
        if (llmOptions.IsLocal)
        {
            builder.Services.AddSingleton<IAnswerGenerator>(sp => sp.GetRequiredService<ExtractiveAnswerGenerator>());
        }
        else
        {
            builder.Services.AddSingleton<IAnswerGenerator>(_ =>
            {
                var clientOptions = new OpenAIClientOptions { RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) };
                if (llmOptions.BaseUrl is not null)
                {
                    clientOptions.Endpoint = llmOptions.BaseUrl;
                }
                var model = llmOptions.Model ?? "gpt-4o-mini";
                // No retries inside the turn: the budget is 300 ms, the fallback is the extractive answer.
                var chat = new OpenAIClient(new ApiKeyCredential(llmOptions.ApiKey ?? "unused"), clientOptions).GetChatClient(model).AsIChatClient();
                return new ChatClientAnswerGenerator(chat, model);
            });
        }
        if (ttsOptions.IsLocal && EspeakTextToSpeech.Available)
        {
            builder.Services.AddSingleton<ITextToSpeech, EspeakTextToSpeech>();
        }
        builder.Services.AddSingleton<SemanticAnswerCache>();
        builder.Services.AddSingleton<CallHistory>();
        builder.Services.AddSingleton<CallMetrics>();
        builder.Services.AddSingleton<CallLogWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallLogWriter>());
        builder.Services.AddScoped<CallOrchestrator>();
        return builder;
    }
}
