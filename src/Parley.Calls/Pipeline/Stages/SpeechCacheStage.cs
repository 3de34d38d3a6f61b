using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>The speech cache, in process: an answer already spoken in this voice gets its audio again, and <c>tts</c> stands aside.</summary>
internal sealed class SpeechCacheStage(IEnumerable<ITextToSpeech> speech, SpeechCache cache) : TurnStage
{
    private readonly ITextToSpeech? _tts = speech.FirstOrDefault();

    public override string Name => "speech-cache";

    public override bool Applies(TurnContext turn) => turn.Speak && _tts is not null && turn.Stream is null;

    public override Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken) =>
        Task.FromResult(cache.TryGet(_tts!.Name, turn.Agent.Voice, turn.Answer!, out var audio)
            ? StageResult.Succeeded(t => t.Audio = audio)
            : StageResult.Succeeded());
}
