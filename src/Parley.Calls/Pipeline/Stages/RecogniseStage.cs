using Parley.Calls.Audio;
using Parley.Calls.Providers;
using Microsoft.Extensions.Options;
using Parley.Domain;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// <c>asr</c>: the caller's utterance to text. A recogniser that fails or runs out of time, or hears
/// nothing, leaves the turn answered with <see cref="CallOrchestrator.NotHeard"/> (the caller is asked
/// to repeat); only the first two count as degraded.
/// </summary>
internal sealed class RecogniseStage(ISpeechToText asr, IOptions<AsrOptions> options) : TurnStage
{
    public const string StageName = "asr";

    public override string Name => StageName;

    public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(options.AsrBudgetMs);

    // Recognition comes before the transcript; the turn's budget runs from the transcript on.
    public override bool WithinTurnBudget => false;

    /// <summary>
    /// The one shape every recogniser gets, decoded once: 16 kHz 16-bit mono. Audio that is not a WAV,
    /// or a server that takes text turns only, is bad input (400), not a degraded turn. The header is
    /// checked against the bytes first, whatever recogniser is configured.
    /// </summary>
    public short[] Decode(ReadOnlyMemory<byte> wav)
    {
        WavAudio.Validate(wav.Span, options.Value.MaxAudioSeconds);
        if (!asr.AcceptsAudio)
        {
            throw new InvalidRequestException("audio",
                $"This server takes text turns only (Parley:Asr:Provider is '{asr.Name}'); send {{\"transcript\": …}}, or configure 'openai' or 'pocketsphinx'.");
        }
        return WavAudio.ToPcm16(wav.Span, ISpeechToText.SampleRate);
    }

    public override bool Applies(TurnContext turn) => turn.Utterance is not null;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var heard = await asr.TranscribeAsync(turn.Utterance!, cancellationToken);
        return StageResult.Succeeded(t => Heard(t, heard));
    }

    public override void FallBack(TurnContext turn) => Heard(turn, null);

    private static void Heard(TurnContext turn, string? text)
    {
        turn.Transcript = text?.Trim() is { Length: > 0 } heard ? heard[..Math.Min(heard.Length, CallOrchestrator.MaxTranscriptLength)] : null;
        if (turn.Transcript is null)
        {
            turn.Answer = CallOrchestrator.NotHeard;
        }
    }
}
