namespace Parley.Embeddings.Local;

/// <summary>One single-threaded inference session of all-MiniLM-L6-v2: texts in, unit-length 384-d vectors out.</summary>
internal interface IMiniLmEncoder : IDisposable
{
    float[][] Encode(string[] texts, CancellationToken cancellationToken);
}
