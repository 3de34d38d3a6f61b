using System.ComponentModel.DataAnnotations;

namespace Parley.Calls.Providers;

/// <summary>
/// <c>Parley:Asr</c>: how a caller's audio becomes a transcript. <c>passthrough</c> (default) takes
/// text turns only; <c>openai</c> is any OpenAI-compatible <c>/audio/transcriptions</c> endpoint;
/// <c>pocketsphinx</c> is Debian's pocketsphinx, in process, when installed.
/// </summary>
public sealed class AsrOptions
{
    public const string Section = "Parley:Asr";

    [RegularExpression("^(passthrough|openai|pocketsphinx)$", ErrorMessage = "Parley:Asr:Provider must be 'passthrough', 'openai' or 'pocketsphinx'.")]
    public string Provider { get; set; } = "passthrough";

    /// <summary>The API's base URL, e.g. <c>https://api.openai.com/v1</c> (the SDK's default when unset).</summary>
    public Uri? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Defaults to <c>whisper-1</c>.</summary>
    public string? Model { get; set; }

    /// <summary>ISO-639-1 language hint for the provider (e.g. <c>en</c>); none by default.</summary>
    public string? Language { get; set; }

    /// <summary>
    /// Retries inside the stage (default none: the stage's budget, <c>Parley:Calls:AsrBudgetMs</c>, is
    /// shorter than any useful backoff, and the fallback is to ask the caller again).
    /// </summary>
    [Range(0, 5)]
    public int MaxRetries { get; set; }

    /// <summary>Decoders of the local recogniser kept side by side (default: one per core).</summary>
    [Range(1, 64)]
    public int? LocalDecoders { get; set; }

    /// <summary>A caller's recording longer than this is refused (400) before it is decoded.</summary>
    [Range(1, 3600)]
    public int MaxAudioSeconds { get; set; } = 60;

    public string EffectiveModel => Model ?? "whisper-1";
}
