namespace Parley.Domain;

/// <summary>
/// Who is waiting for an embedding, in the order the local model serves them: a caller on the phone,
/// then an API search, then ingestion and re-embedding. Sent as <see cref="EmbeddingProperties.Priority"/>.
/// </summary>
public enum EmbeddingPriority
{
    Turn = 0,
    Search = 1,
    Background = 2,
}
