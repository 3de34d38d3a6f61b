using Parley.Calls.Audio;
using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>tts</c>: the answer spoken, when the caller wants audio and the speech cache did not hold the whole of it.
/// It is spoken sentence by sentence, each sentence from the speech cache when it was said before in this voice
/// (a streamed turn cuts and keeps the same sentences): an extractive answer is one or two sentences of the
/// knowledge base, so a new question mostly brings sentences already spoken in another combination. Each
/// sentence spoken is kept at once, so a turn cut off by its budget still spares the next one that work.
/// Without a speech provider (espeak-ng not installed) the turn has no audio and still answers.
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
        var (text, voice, tts) = (turn.Answer!, turn.Agent.Voice, _tts!);
        var sentences = StreamedAnswer.Sentences(text);
        byte[]? audio;
        if (sentences.Count <= 1)
        {
            audio = await tts.SpeakAsync(text, voice, cancellationToken);
        }
        else
        {
            // The sentences not in the cache are asked for at once: a remote provider speaks them side by side,
            // the local engine queues them on its one thread as it would the whole answer.
            var parts = await Task.WhenAll(sentences.Select(async sentence =>
            {
                if (!cache.TryGet(tts.Name, voice, sentence, out var said))
                {
                    said = await tts.SpeakAsync(sentence, voice, cancellationToken);
                    cache.Add(tts.Name, voice, sentence, said);
                }
                return said;
            }));
            audio = WavAudio.Join(parts)!;
        }
        return StageResult.Succeeded(t =>
        {
            t.Audio = audio;
            cache.Add(tts.Name, voice, text, audio);
        });
    }
}
