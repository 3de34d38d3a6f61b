using OpenAI.Audio;
using Parley.Calls.Audio;

namespace Parley.Calls.Providers;

/// <summary>
/// An OpenAI-compatible <c>POST /audio/speech</c> asked for WAV, then brought to the configured
/// rate (OpenAI answers 24 kHz) as 16-bit mono, the same shape as the local voice's.
/// </summary>
public sealed class OpenAiTextToSpeech(TtsOptions options) : ITextToSpeech
{
    /// <summary>The voices of OpenAI's speech API; an agent whose voice is one of them keeps it.</summary>
    private static readonly HashSet<string> KnownVoices = new(StringComparer.OrdinalIgnoreCase)
    {
        "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
    };

    private readonly AudioClient _client = OpenAiAudio.Create(options.BaseUrl, options.ApiKey, options.EffectiveModel, options.MaxRetries);

    public string Name => "openai";

    public async Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
    {
        // Agents default to an espeak voice name ("en-us"); those mean nothing to this API.
        var chosen = KnownVoices.Contains(voice) ? voice : options.Voice ?? "alloy";
        var speech = await _client.GenerateSpeechAsync(text, new GeneratedSpeechVoice(chosen),
            new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav }, cancellationToken);
        return WavAudio.Resample(speech.Value.ToMemory().Span, options.SampleRate);
    }
}
