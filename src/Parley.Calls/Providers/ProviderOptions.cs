namespace Parley.Calls.Providers;

/// <summary><c>Parley:Llm</c>: <c>local</c> (default, the extractive answerer, no network) or <c>openai</c>. Speech has its own: <see cref="AsrOptions"/>, <see cref="TtsOptions"/>.</summary>
public sealed class ProviderOptions
{
    public const string Section = "Parley:Llm";

    public string Provider { get; set; } = "local";
    public Uri? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public string? Model { get; set; }
    public string? Voice { get; set; }

    /// <summary><see cref="Model"/>, or <c>gpt-4o-mini</c> when unset.</summary>
    public string ResolvedModel => Model is { Length: > 0 } model ? model : "gpt-4o-mini";

    public bool IsLocal => !string.Equals(Provider, "openai", StringComparison.OrdinalIgnoreCase);
}
