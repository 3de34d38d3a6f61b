using System.ComponentModel.DataAnnotations;

namespace Parley.Calls.Providers;

/// <summary>
/// <c>Parley:Tts</c>: how an answer becomes speech. <c>local</c> (default) is Debian's espeak-ng;
/// <c>openai</c> is any OpenAI-compatible <c>/audio/speech</c> endpoint. Either way the answer is a
/// 16-bit mono WAV at <see cref="SampleRate"/>.
/// </summary>
public sealed class TtsOptions
{
    public const string Section = "Parley:Tts";

    [RegularExpression("^(local|espeak|openai)$", ErrorMessage = "Parley:Tts:Provider must be 'local' (espeak-ng) or 'openai'.")]
    public string Provider { get; set; } = "local";

    /// <summary>
    /// How <c>local</c> runs espeak-ng: <c>library</c> (default) in process through libespeak-ng1, on one
    /// thread of its own; <c>process</c> starts the espeak-ng program per turn (isolated, slower).
    /// </summary>
    [RegularExpression("^(library|process)$", ErrorMessage = "Parley:Tts:EspeakMode must be 'library' (libespeak-ng in process) or 'process' (the espeak-ng program per turn).")]
    public string EspeakMode { get; set; } = "library";

    public Uri? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Defaults to <c>tts-1</c>.</summary>
    public string? Model { get; set; }

    /// <summary>The OpenAI-compatible voice (default <c>alloy</c>); espeak-ng takes the agent's voice instead.</summary>
    public string? Voice { get; set; }

    /// <summary>8 000 (narrowband telephony) or 16 000 (wideband, the default).</summary>
    [AllowedValues(8000, 16000, ErrorMessage = "Parley:Tts:SampleRate must be 8000 or 16000.")]
    public int SampleRate { get; set; } = 16000;

    [Range(0, 5)]
    public int MaxRetries { get; set; }

    public bool IsOpenAi => Provider == "openai";
    public bool IsEspeakLibrary => EspeakMode == "library";
    public string EffectiveModel => Model ?? "tts-1";
}
