using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>tts</c> of one sentence of a streamed answer, run by <see cref="TurnStageRunner.RunBesideAsync"/>
/// beside the turn's flow: one instance a sentence, holding what it heard. Each sentence has the speech
/// budget of its own and not the turn's: the caller is already hearing the sentence before it.
/// </summary>
internal sealed class SentenceSpeechStage(ITextToSpeech tts, string sentence) : TurnStage
{
    public override string Name => SpeakStage.StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.TtsBudgetMs);

    public override bool WithinTurnBudget => false;

    /// <summary>The sentence's WAV once an attempt succeeded.</summary>
    public byte[]? Audio { get; private set; }

    public override bool Applies(TurnContext turn) => true;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        Audio = await tts.SpeakAsync(sentence, turn.Agent.Voice, cancellationToken);
        return StageResult.Succeeded();
    }
}
