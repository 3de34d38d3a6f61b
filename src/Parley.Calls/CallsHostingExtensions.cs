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
using Parley.Domain;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Parley.Calls.Pipeline.Stages;
using Parley.Calls.Providers;
using Parley.Data.Writers;
using Parley.Transactional.Agents;
using Parley.Transactional.Calls;

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
        builder.Services.AddOptions<CallOptions>().BindConfiguration(CallOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<ProviderOptions>>((o, llm) => !o.LlmRewrite || !llm.Value.IsLocal,
                "Parley:Calls:LlmRewrite needs an OpenAI-compatible LLM: Parley:Llm:Provider 'openai'.")
            .ValidateOnStart();
        builder.Services.AddOptions<ProviderOptions>().BindConfiguration(ProviderOptions.Section)
            .Validate(o => o.IsLocal || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey),
                "Parley:Llm:Provider 'openai' needs Parley:Llm:BaseUrl or Parley:Llm:ApiKey.")
            .ValidateOnStart();
        builder.Services.AddOptions<AsrOptions>().BindConfiguration(AsrOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Provider != "openai" || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey), "Parley:Asr:Provider 'openai' needs Parley:Asr:BaseUrl or Parley:Asr:ApiKey.")
            .Validate(o => o.Provider != "pocketsphinx" || PocketsphinxSpeechToText.Available, "Parley:Asr:Provider 'pocketsphinx' needs Debian's pocketsphinx and pocketsphinx-en-us installed.")
            .ValidateOnStart();
        builder.Services.AddOptions<TtsOptions>().BindConfiguration(TtsOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.IsOpenAi || o.BaseUrl is not null || !string.IsNullOrEmpty(o.ApiKey), "Parley:Tts:Provider 'openai' needs Parley:Tts:BaseUrl or Parley:Tts:ApiKey.")
            // With neither part of espeak-ng installed there is no local voice at all (below); with only the other one, say so.
            .Validate(o => o.IsOpenAi || (o.IsEspeakLibrary ? EspeakLibraryTextToSpeech.Available || !EspeakTextToSpeech.Available : EspeakTextToSpeech.Available || !EspeakLibraryTextToSpeech.Available),
                "Parley:Tts:EspeakMode 'library' needs Debian's libespeak-ng1, 'process' its espeak-ng program.")
            .ValidateOnStart();

        // Each provider is chosen from its bound options when first resolved: every setting is read once, validated.
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ExtractiveAnswerGenerator>();
        // One OpenAI-compatible chat client (one HttpClient pipeline) for the answer and the follow-up rewrite,
        // made on first use: a local server never builds it.
        builder.Services.AddKeyedSingleton<IChatClient>(ProviderOptions.Section, (sp, _) =>
        {
            var llm = sp.GetRequiredService<IOptions<ProviderOptions>>().Value;
            // No retries inside the turn: each use has a budget of its own and a local fallback.
            var clientOptions = new OpenAIClientOptions { RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) };
            if (llm.BaseUrl is not null)
            {
                clientOptions.Endpoint = llm.BaseUrl;
            }
            return new OpenAIClient(new ApiKeyCredential(llm.ApiKey ?? "unused"), clientOptions).GetChatClient(llm.ResolvedModel).AsIChatClient();
        });
        builder.Services.AddSingleton<IAnswerGenerator>(sp =>
        {
            var llm = sp.GetRequiredService<IOptions<ProviderOptions>>().Value;
            return llm.IsLocal
                ? sp.GetRequiredService<ExtractiveAnswerGenerator>()
                : new ChatClientAnswerGenerator(sp.GetRequiredKeyedService<IChatClient>(ProviderOptions.Section), llm.ResolvedModel);
        });
        builder.Services.AddSingleton(sp => new Conversation.LlmFollowUpRewriter(
            sp.GetRequiredKeyedService<IChatClient>(ProviderOptions.Section), sp.GetRequiredService<IOptions<ProviderOptions>>().Value.ResolvedModel));
        // Without espeak-ng on the machine only an OpenAI-compatible voice can speak, and without one no
        // ITextToSpeech is registered at all: a turn then has no audio, and still answers. Whether a voice can
        // exist must be known as the container is built, so that one key is read here.
        var provider = builder.Configuration[$"{TtsOptions.Section}:{nameof(TtsOptions.Provider)}"];
        if (EspeakLibraryTextToSpeech.Available || EspeakTextToSpeech.Available || provider == "openai")
        {
            builder.Services.AddSingleton<ITextToSpeech>(sp =>
            {
                var tts = sp.GetRequiredService<IOptions<TtsOptions>>();
                return tts.Value.IsOpenAi ? new OpenAiTextToSpeech(tts.Value)
                    : tts.Value.IsEspeakLibrary ? new EspeakLibraryTextToSpeech(tts) : new EspeakTextToSpeech(tts);
            });
        }
        builder.Services.AddSingleton<PocketsphinxSpeechToText>();
        builder.Services.AddSingleton<ISpeechToText>(sp =>
        {
            var asr = sp.GetRequiredService<IOptions<AsrOptions>>().Value;
            return asr.Provider switch
            {
                "openai" => new OpenAiSpeechToText(asr),
                "pocketsphinx" => sp.GetRequiredService<PocketsphinxSpeechToText>(),
                _ => new PassthroughSpeechToText(),
            };
        });
        builder.Services.AddHostedService<SpeechWarmUp>();
        builder.Services.AddHostedService<Conversation.RewriteWarmUp>();
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
        builder.Services.AddSingleton<Lifecycle.IdleCallSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Lifecycle.IdleCallSweeper>());
        builder.Services.AddSingleton<IRecordWriter>(sp => sp.GetRequiredService<CallLogWriter>());
        builder.Services.AddSingleton<RecogniseStage>();
        // The LLM rewriter is built only when it is switched on (it needs the openai provider, validated above).
        builder.Services.AddSingleton(sp => new RewriteStage(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CallOptions>>().Value.LlmRewrite ? sp.GetRequiredService<Conversation.LlmFollowUpRewriter>() : null));
        builder.Services.AddSingleton<Interim.InterimMetrics>();
        builder.Services.AddSingleton<Interim.InterimSearch>();
        // Its constructor is internal (InterimSearch is), hence the factory.
        builder.Services.AddSingleton(sp => new Interim.InterimPrefetches(
            sp.GetRequiredService<IOptions<CallOptions>>().Value, sp.GetRequiredService<Interim.InterimSearch>(),
            sp.GetRequiredService<Interim.InterimMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Interim.InterimPrefetches>>()));
        builder.Services.AddScoped<Interim.InterimTranscripts>();
        builder.Services.AddSingleton<PrefetchStage>();
        builder.Services.AddSingleton<EmbedStage>();
        builder.Services.AddSingleton<AnswerCacheStage>();
        builder.Services.AddSingleton<SearchStage>();
        builder.Services.AddSingleton<AnswerStage>();
        builder.Services.AddSingleton<SpeechCacheStage>();
        builder.Services.AddSingleton<SpeakStage>();
        builder.Services.AddSingleton<StreamedSpeechStage>();
        builder.Services.AddSingleton<LogStage>();
        builder.Services.AddSingleton<TurnStages>();
        builder.Services.AddSingleton<TurnStageRunner>();
        // Scoped: the call lookups are tenant-scoped. Its constructor is internal (the stages are), hence the factory.
        builder.Services.AddScoped(sp => new CallOrchestrator(
            sp.GetRequiredService<CallService>(), sp.GetRequiredService<CallHistory>(), sp.GetRequiredService<ITenantContext>(),
            sp.GetRequiredService<TurnStages>(),
            sp.GetRequiredService<TurnStageRunner>(), sp.GetRequiredService<IOptions<CallOptions>>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
