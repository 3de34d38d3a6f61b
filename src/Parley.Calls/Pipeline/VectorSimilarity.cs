using System.Numerics.Tensors;

namespace Parley.Calls.Pipeline;

/// <summary>
/// The cosine both in-process lookups of a turn use (the answer cache, the interim prefetches), on the
/// BCL's vectorised TensorPrimitives. It keeps their old contract: vectors of different lengths or a
/// zero vector (a provider's empty answer) score 0 rather than throwing or giving NaN.
/// </summary>
internal static class VectorSimilarity
{
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == 0 || a.Length != b.Length || TensorPrimitives.Norm(a) == 0 || TensorPrimitives.Norm(b) == 0
            ? 0
            : TensorPrimitives.CosineSimilarity(a, b);
}
