namespace Parley.Embeddings;

/// <summary>Whether the embedding model has answered once (set by the warm-up at start).</summary>
public sealed class EmbeddingReadiness
{
    public bool Ready { get; set; }
}
