using System.ComponentModel.DataAnnotations;

namespace Parley.Embeddings;

/// <summary><c>Parley:Embeddings</c>: which model turns text into vectors.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Parley:Embeddings";
    public const string LocalModel = "all-MiniLM-L6-v2";
    public const string OpenAiDefaultModel = "text-embedding-3-small";

    /// <summary><c>local</c> (default, no network) or <c>openai</c> (any OpenAI-compatible endpoint).</summary>
    [RegularExpression("^(local|openai)$", ErrorMessage = "Parley:Embeddings:Provider must be 'local' or 'openai'.")]
    public string Provider { get; set; } = "local";

    /// <summary>Defaults to all-MiniLM-L6-v2 (local) or text-embedding-3-small (openai).</summary>
    public string? Model { get; set; }

    /// <summary>Defaults to 384 (local) or 1536 (openai).</summary>
    [Range(1, 16000)]
    public int? Dimensions { get; set; }

    public Uri? BaseUrl { get; set; }
    public string? ApiKey { get; set; }

    [Range(1, 2048)]
    public int BatchSize { get; set; } = 32;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Tier-1 (in-process) cache bound, in entries.</summary>
    [Range(0, 10_000_000)]
    public int CacheEntries { get; set; } = 10_000;

    public bool IsLocal => Provider == "local";
    public string EffectiveModel => Model ?? (IsLocal ? LocalModel : OpenAiDefaultModel);
    public int EffectiveDimensions => Dimensions ?? (IsLocal ? 384 : 1536);
}
