using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Parley.Calls.Audio;

namespace Parley.Calls.Providers;

/// <summary>
/// Local speech with Debian's libespeak-ng1 in process (<c>Parley:Tts:EspeakMode</c> = <c>library</c>, the
/// default): the same voice and WAV as <see cref="EspeakTextToSpeech"/> without starting a program and
/// loading its data on every turn. Synthesis runs on the one thread of <see cref="EspeakEngine"/>; the
/// 22 050 Hz samples are resampled off it to <c>Parley:Tts:SampleRate</c> (8 or 16 kHz, 16-bit mono).
/// </summary>
public sealed partial class EspeakLibraryTextToSpeech(IOptions<TtsOptions> options) : ITextToSpeech
{
    public string Name => "espeak-ng";

    public static bool Available => EspeakNative.Installed;

    /// <summary>Loads the library, its data and the default voice now, so the first caller does not pay for them.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) => SpeakAsync("Hello.", "", cancellationToken);

    public async Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
    {
        voice = string.IsNullOrWhiteSpace(voice) ? EspeakTextToSpeech.DefaultVoice : voice;
        // The library opens voices/<name> as a file and parses it: in process, only names that look like a voice get that far.
        if (!VoiceName().IsMatch(voice) || voice.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"espeak-ng has no voice '{voice}'.");
        }
        var engine = EspeakEngine.Shared;
        var rate = await engine.SampleRateAsync(cancellationToken);
        var samples = await engine.SynthesizeAsync(text, voice, EspeakTextToSpeech.WordsPerMinute, cancellationToken);
        return WavAudio.Resample(WavAudio.ToWav(samples, rate), options.Value.SampleRate);
    }

    /// <summary><c>en-us</c>, <c>en-gb-scotland</c>, <c>en-us+f3</c> (a variant), <c>gmw/en-US</c> (a voice file).</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_+/-]{0,48}$")]
    private static partial Regex VoiceName();
}
