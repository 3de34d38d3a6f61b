using System.ComponentModel.DataAnnotations;

namespace Parley.Knowledge;

/// <summary><c>Parley:Knowledge</c>: chunking, limits, and the per-tenant search plan.</summary>
public sealed class KnowledgeOptions
{
    public const string Section = "Parley:Knowledge";

    /// <summary>Target chunk size in word pieces of the embedding model (MiniLM reads at most 256).</summary>
    [Range(20, 2000)]
    public int ChunkTokens { get; set; } = 200;

    [Range(0, 500)]
    public int ChunkOverlap { get; set; } = 40;

    [Range(1, 1024 * 1024 * 1024)]
    public int MaxDocumentBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// How long the statement that moves a document's chunks into the table may take: a bulk write that
    /// feeds the tenant's HNSW index row by row, on a large tenant and a busy node far longer than the
    /// command timeout that suits a turn's queries.
    /// </summary>
    [Range(1, 86_400)]
    public int IngestWriteTimeoutSeconds { get; set; } = 600;

    /// <summary>
    /// A tenant with more chunks than this gets a partial HNSW index of its own; below it an exact scan
    /// is both exact and fast (about 2 ms per 1 000 chunks measured on 2 cores).
    /// </summary>
    [Range(1, 100_000_000)]
    public int LargeTenantChunks { get; set; } = 10_000;

    /// <summary>hnsw.ef_search for tenant indexes; raised to at least the LIMIT, or rows go missing.</summary>
    [Range(10, 1000)]
    public int EfSearch { get; set; } = 100;

    [Range(1, 100)]
    public int MaxTopK { get; set; } = 100;

    /// <summary>How long a tenant's chunk count is trusted in memory before it is read again.</summary>
    [Range(0, 3600)]
    public int PlanCacheSeconds { get; set; } = 5;

    /// <summary>How often the index maintainer looks for tenants that crossed <see cref="LargeTenantChunks"/>.</summary>
    [Range(1, 3600)]
    public int IndexMaintenanceSeconds { get; set; } = 30;

    /// <summary>
    /// A call start warms its tenant's index or rows (<see cref="Search.TenantWarmer"/>) at most once per this many
    /// minutes per tenant and process; 0 turns the warm off.
    /// </summary>
    [Range(0, 1440)]
    public int WarmMinutes { get; set; } = 10;

    /// <summary>How many tenants' last warm the process remembers (bounded memory); past it the oldest is forgotten.</summary>
    [Range(1, 1_000_000)]
    public int WarmTrackedTenants { get; set; } = 10_000;
}
