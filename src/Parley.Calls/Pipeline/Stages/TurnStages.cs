namespace Parley.Calls.Pipeline.Stages;

/// <summary>The stages of a turn, singletons (a turn's state lives in its <see cref="TurnContext"/>).</summary>
internal sealed record TurnStages(
    RecogniseStage Recognise,
    RewriteStage Rewrite,
    PrefetchStage Prefetch,
    EmbedStage Embed,
    AnswerCacheStage AnswerCache,
    SearchStage Search,
    AnswerStage Answer,
    SpeechCacheStage SpeechCache,
    SpeakStage Speak,
    StreamedSpeechStage StreamedSpeech,
    LogStage Log);
