using System.Threading.Channels;
using Parley.Calls.Audio;
using Parley.Calls.Providers;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>tts</c> of a streamed turn: each sentence is spoken as soon as the answer holds it
/// (<see cref="SpeakAsync"/>, started with the turn by <see cref="TurnStream"/>), from the speech cache when
/// it was said before in this voice, else by the provider under its own budget. As a stage of the turn it
/// only waits for the last sentence and leaves the audio and the time spent speaking; a sentence not spoken
/// marks the turn degraded, and the audio of the others is kept.
/// </summary>
internal sealed class StreamedSpeechStage(IEnumerable<ITextToSpeech> speech, SpeechCache cache, TurnStageRunner runner, TimeProvider time)
    : TurnStage
{
    private readonly ITextToSpeech? _tts = speech.FirstOrDefault();

    public override string Name => SpeakStage.StageName;

    public override bool Applies(TurnContext turn) => turn.Stream is not null && turn.Speak && _tts is not null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var spoken = await turn.Stream!.SpokenAsync();
        return spoken.Failed ? StageResult.Fatal("a sentence was not spoken") : StageResult.Succeeded(t => Keep(t, spoken));
    }

    public override void FallBack(TurnContext turn)
    {
        if (turn.Stream?.Spoken is { } spoken)
        {
            Keep(turn, spoken);
        }
    }

    private static void Keep(TurnContext turn, SpokenAnswer spoken)
    {
        turn.Audio = spoken.Wav;
        // No budget of its own (each sentence had one), so the runner does not time it: the time spent speaking is the stage's time.
        turn.Ran(SpeakStage.StageName, spoken.Elapsed);
    }

    /// <summary>Speaks the sentences in order as they arrive, handing each one's audio to <paramref name="publish"/>.</summary>
    public async Task<SpokenAnswer> SpeakAsync(
        TurnContext turn, ChannelReader<string> sentences, Action<int, string, byte[]> publish, CancellationToken cancellationToken)
    {
        var tts = _tts!;
        var parts = new List<byte[]>();
        var elapsed = TimeSpan.Zero;
        var failed = false;
        var index = 0;
        // When the audio sent so far ends, as the caller hears it (from the first audio on, in real time).
        long? firstSent = null;
        var heardUntil = TimeSpan.Zero;
        await foreach (var sentence in sentences.ReadAllAsync(cancellationToken))
        {
            if (!cache.TryGet(tts.Name, turn.Agent.Voice, sentence, out var audio))
            {
                var slack = firstSent is { } sent ? heardUntil - time.GetElapsedTime(sent) : TimeSpan.Zero;
                var stage = new SentenceSpeechStage(tts, sentence, slack > TimeSpan.Zero ? slack : TimeSpan.Zero);
                var (result, took) = await runner.RunBesideAsync(stage, turn, cancellationToken);
                elapsed += took;
                if (result.Outcome == StageOutcome.Succeeded && stage.Audio is { } said)
                {
                    audio = said;
                    cache.Add(tts.Name, turn.Agent.Voice, sentence, said);
                }
                else
                {
                    audio = null;
                    failed = true;
                }
            }
            if (audio is { Length: > 0 })
            {
                publish(index, sentence, audio);
                parts.Add(audio);
                firstSent ??= time.GetTimestamp();
                heardUntil += WavAudio.DurationOf(audio);
            }
            index++;
        }
        return new SpokenAnswer(WavAudio.Join(parts), elapsed, failed);
    }
}
