namespace Parley.Data;

/// <summary>
/// The jobs of which one process at a time runs a tick, each with its own advisory-lock key
/// ("Parley" in ASCII, then a number). A new singleton job takes the next number here, so no two
/// ever share a lock.
/// </summary>
public enum SingletonJob : long
{
    /// <summary>Builds per-tenant HNSW indexes (the knowledge side).</summary>
    TenantIndexes = 0x5061726c6579_01,

    /// <summary>The latency monitor: raises and resolves alerts, prunes records, posts webhooks.</summary>
    LatencyMonitor = 0x5061726c6579_07,

    /// <summary>Prunes the persistent embedding cache by age and size (the embedding side).</summary>
    EmbeddingCachePrune = 0x5061726c6579_0A,

    /// <summary>Ends and bills calls left open past <c>Parley:Calls:IdleTimeoutSeconds</c>.</summary>
    IdleCalls = 0x5061726c6579_21,
}
