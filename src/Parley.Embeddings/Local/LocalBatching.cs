namespace Parley.Embeddings.Local;

/// <summary>How the local model's sessions batch and share work (see <see cref="EmbeddingBatcher"/>).</summary>
/// <param name="Window">How long a session waits for more requests to join a batch while another session is busy.</param>
/// <param name="MaxBatch">Texts of turns and searches encoded in one model run at most.</param>
/// <param name="BackgroundBatch">Texts of ingestion or re-embedding in one model run: small, so a session frees up soon.</param>
/// <param name="BackgroundShare">Share of the sessions background work may hold while turns or searches come in.</param>
public sealed record LocalBatching(TimeSpan Window, int MaxBatch = 32, int BackgroundBatch = 8, double BackgroundShare = 0.5)
{
    public static LocalBatching Default { get; } = new(TimeSpan.FromMilliseconds(1));
}
