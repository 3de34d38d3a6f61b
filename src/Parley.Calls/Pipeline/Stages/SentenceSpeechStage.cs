using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>tts</c> of one sentence of a streamed answer, run by <see cref="TurnStageRunner.RunBesideAsync"/>
/// beside the turn's flow: one instance a sentence, holding what it heard. Each sentence has a speech
/// budget of its own and not the turn's: the first sentence the speech budget, what the caller waits to
/// hear anything; a later one that plus <paramref name="slack"/>, the audio already sent and not yet
/// heard, since it only has to be ready when the caller has heard the sentences before it.
/// </summary>
internal sealed class SentenceSpeechStage(ITextToSpeech tts, string sentence, TimeSpan slack) : TurnStage
{
    public override string Name => SpeakStage.StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.TtsBudgetMs) + slack;

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
