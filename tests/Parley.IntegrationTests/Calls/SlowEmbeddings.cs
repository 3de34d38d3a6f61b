using Microsoft.Extensions.AI;

namespace Parley.IntegrationTests.Calls;

/// <summary>The real embedding model behind a delay a test switches on once its knowledge is in: an embedding that is late, not wrong.</summary>
public sealed class SlowEmbeddings(IEmbeddingGenerator<string, Embedding<float>> model) : DelegatingEmbeddingGenerator<string, Embedding<float>>(model)
{
    private long _delayTicks;
    private int _cancelled;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Embeddings whose caller gave up on them (the turn's budget cancels the provider's work, not only the wait).</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
        }
        return await base.GenerateAsync(values, options, cancellationToken);
    }
}
