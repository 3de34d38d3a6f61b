using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Parley.Data;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;

namespace Parley.Calls;

public static class CallsHostingExtensions
{
    /// <summary>
    /// The turn pipeline, its providers (local by default), the answer cache and the call-log writer; publishes
    /// the <c>Parley.Calls</c> meter and the turn's stage spans to the host's OpenTelemetry, and the
    /// <c>call-log-backlog</c> readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddParleyCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallOptions>().BindConfiguration(CallOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var llmOptions = builder.Configuration.GetSection("Parley:Llm").Get<ProviderOptions>() ?? new ProviderOptions();
        builder.Services.AddOptions<AsrOptions>().BindConfiguration(AsrOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Provider != "openai" || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey), "Parley:Asr:Provider 'openai' needs Parley:Asr:BaseUrl or Parley:Asr:ApiKey.")
            .Validate(o => o.Provider != "pocketsphinx" || PocketsphinxSpeechToText.Available, "Parley:Asr:Provider 'pocketsphinx' needs Debian's pocketsphinx and pocketsphinx-en-us installed.")
            .ValidateOnStart();
        builder.Services.AddOptions<TtsOptions>().BindConfiguration(TtsOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.IsOpenAi || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey), "Parley:Tts:Provider 'openai' needs Parley:Tts:BaseUrl or Parley:Tts:ApiKey.")
            .ValidateOnStart();
        var asrOptions = builder.Configuration.GetSection(AsrOptions.Section).Get<AsrOptions>() ?? new AsrOptions();
        var ttsOptions = builder.Configuration.GetSection(TtsOptions.Section).Get<TtsOptions>() ?? new TtsOptions();
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
        if (ttsOptions.IsOpenAi)
        {
            builder.Services.AddSingleton<ITextToSpeech>(sp => new OpenAiTextToSpeech(sp.GetRequiredService<IOptions<TtsOptions>>().Value));
        }
        else if (EspeakTextToSpeech.Available)
        {
            // Without espeak-ng installed a turn has no audio (and says so); it still answers.
            builder.Services.AddSingleton<ITextToSpeech, EspeakTextToSpeech>();
        }
        switch (asrOptions.Provider)
        {
            case "openai":
                builder.Services.AddSingleton<ISpeechToText>(sp => new OpenAiSpeechToText(sp.GetRequiredService<IOptions<AsrOptions>>().Value));
                break;
            case "pocketsphinx":
                builder.Services.AddSingleton<PocketsphinxSpeechToText>();
                builder.Services.AddSingleton<ISpeechToText>(sp => sp.GetRequiredService<PocketsphinxSpeechToText>());
                builder.Services.AddHostedService<SpeechWarmUp>();
                break;
            default:
                builder.Services.AddSingleton<ISpeechToText, PassthroughSpeechToText>();
                break;
        }
        builder.Services.AddSingleton<SemanticAnswerCache>();
        builder.Services.AddSingleton<SpeechCache>();
        builder.Services.AddSingleton<CallHistory>();
        builder.Services.AddSingleton<CallMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(CallMetrics.MeterName));
        // Spans are exported only when the host switches tracing on (a collector is configured).
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddSource(CallTelemetry.SourceName));
        builder.Services.AddHealthChecks()
            .AddCheck<CallLogBacklogHealthCheck>("call-log-backlog", tags: [HealthTags.Ready]);
        builder.Services.AddSingleton<CallLogWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallLogWriter>());
        builder.Services.AddScoped<CallOrchestrator>();
        return builder;
    }
}
