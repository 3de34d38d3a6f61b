using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Embeddings.Caching;

/// <summary>
/// sha256(model + "\n" + normalised text), as the design's EmbeddingCacheService keys its cache.
/// Normalisation only removes what cannot change the vector: Unicode form and runs of whitespace
/// (the tokenizer splits on whitespace either way). Case is kept: other models are cased.
/// </summary>
public static class EmbeddingCacheKey
{
    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormC).Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                sb.Append(' ');
                space = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static byte[] Hash(string model, string text) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{model}\n{Normalise(text)}")));
}
