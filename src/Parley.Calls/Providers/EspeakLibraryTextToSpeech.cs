using Microsoft.Extensions.Options;
using Parley.Calls.Audio;

namespace Parley.Calls.Providers;

/// <summary>
/// Local speech with Debian's libespeak-ng1 in process (<c>Parley:Tts:EspeakMode</c> = <c>library</c>, the
/// default): the same voice and WAV as <see cref="EspeakTextToSpeech"/> without starting a program and
/// loading its data on every turn. Synthesis runs on the one thread of <see cref="EspeakEngine"/>; the
/// 22 050 Hz samples are resampled off it to <c>Parley:Tts:SampleRate</c> (8 or 16 kHz, 16-bit mono).
/// </summary>
public sealed class EspeakLibraryTextToSpeech(IOptions<TtsOptions> options) : ITextToSpeech
{
    public string Name => "espeak-ng";

    public static bool Available => EspeakNative.Installed;

    /// <summary>Loads the library, its data and the default voice now, so the first caller does not pay for them.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) => SpeakAsync("Hello.", "", cancellationToken);

    public async Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
    {
        var engine = EspeakEngine.Shared;
        var rate = await engine.SampleRateAsync(cancellationToken);
        var samples = await engine.SynthesizeAsync(text, string.IsNullOrWhiteSpace(voice) ? EspeakTextToSpeech.DefaultVoice : voice,
            EspeakTextToSpeech.WordsPerMinute, cancellationToken);
        return WavAudio.Resample(WavAudio.ToWav(samples, rate), options.Value.SampleRate);
    }
}
