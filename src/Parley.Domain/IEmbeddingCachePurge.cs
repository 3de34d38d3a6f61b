namespace Parley.Domain;

/// <summary>
/// Forgets an account's cached embeddings of some texts: the knowledge side calls it when a document
/// is deleted, so its chunks' vectors do not outlive it in the cache. Implemented by the embedding
/// side, which the knowledge side does not reference.
/// </summary>
public interface IEmbeddingCachePurge
{
    Task PurgeAsync(AccountId account, IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
