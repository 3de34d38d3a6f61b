using OpenAI.Audio;
using Parley.Calls.Audio;
using Parley.Domain;

namespace Parley.Calls.Providers;

/// <summary>An OpenAI-compatible <c>POST /audio/transcriptions</c> (multipart WAV in, JSON text out).</summary>
public sealed class OpenAiSpeechToText(AsrOptions options) : ISpeechToText
{
    private readonly AudioClient _client = OpenAiAudio.Create(options.BaseUrl, options.ApiKey, options.EffectiveModel, options.MaxRetries);

    public string Name => "openai";

    public bool AcceptsAudio => true;

    public async Task<string> TranscribeAsync(short[] samples, CancellationToken cancellationToken)
    {
        using var audio = new MemoryStream(WavAudio.ToWav(samples, ISpeechToText.SampleRate), writable: false);
        var transcription = await _client.TranscribeAudioAsync(audio, "turn.wav", new AudioTranscriptionOptions
        {
            Language = options.Language,
            ResponseFormat = AudioTranscriptionFormat.Simple,
        }, cancellationToken);
        // Outside text: control characters removed before the transcript reaches the search, the model and the call log.
        return ControlCharacters.Strip(transcription.Value.Text ?? "").Trim();
    }
}
