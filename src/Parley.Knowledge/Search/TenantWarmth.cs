namespace Parley.Knowledge.Search;

/// <summary>What one warm read: <c>index</c> (the partial HNSW index, into shared buffers), <c>index-os</c> (into
/// the OS cache only: too large for a quarter of shared buffers), <c>rows</c> (the tenant's chunks and documents).</summary>
/// <param name="Blocks">Index blocks read (the index kinds).</param>
/// <param name="Tuples">Rows read (the rows kind); 0 for a tenant with no knowledge.</param>
public sealed record TenantWarmth(string Kind, long? Blocks, long? Tuples)
{
    /// <summary>The outcome the metric counts: the kind, or <c>empty</c> for a tenant with nothing to warm.</summary>
    public string Outcome => Kind == "rows" && Tuples is 0 ? "empty" : Kind;
}
