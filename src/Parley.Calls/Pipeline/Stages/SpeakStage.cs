using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>tts</c>: the answer spoken, when the caller wants audio and the speech cache had none. Without
/// a speech provider (espeak-ng not installed) the turn has no audio and still answers.
/// </summary>
internal sealed class SpeakStage(IEnumerable<ITextToSpeech> speech, SpeechCache cache) : TurnStage
{
    private readonly ITextToSpeech? _tts = speech.FirstOrDefault();

    public const string StageName = "tts";

    public override string Name => StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.TtsBudgetMs);

    // A streamed turn speaks sentence by sentence instead (StreamedSpeechStage).
    public override bool Applies(TurnContext turn) => turn.Speak && _tts is not null && turn.Audio is null && turn.Stream is null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var (text, voice) = (turn.Answer!, turn.Agent.Voice);
        var audio = await _tts!.SpeakAsync(text, voice, cancellationToken);
        return StageResult.Succeeded(t =>
        {
            t.Audio = audio;
            cache.Add(_tts.Name, voice, text, audio);
        });
    }
}
