namespace Parley.Calls.Providers;

/// <summary><c>Parley:Llm</c>, <c>Parley:Tts</c>, <c>Parley:Asr</c>: <c>local</c> (default, no network) or <c>openai</c>.</summary>
public sealed class ProviderOptions
{
    public string Provider { get; set; } = "local";
    public Uri? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public string? Model { get; set; }
    public string? Voice { get; set; }

    public bool IsLocal => !string.Equals(Provider, "openai", StringComparison.OrdinalIgnoreCase);
}
