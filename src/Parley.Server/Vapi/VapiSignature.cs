using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Parley.Server.Vapi;

/// <summary>
/// How a Vapi request proves it comes from the integration's owner: <c>X-Vapi-Signature: sha256=&lt;hex
/// HMAC-SHA256 of the raw body keyed with the secret&gt;</c>, or the secret itself in <c>X-Vapi-Secret</c>
/// (Vapi's simpler "server URL secret"). Both compared in constant time.
/// </summary>
internal static class VapiSignature
{
    public const string SignatureHeader = "X-Vapi-Signature";
    public const string SecretHeader = "X-Vapi-Secret";
    private const string Prefix = "sha256=";

    /// <summary>The integration's secret, from its secrets JSON <c>{"secret": "…"}</c>; null when it has none.</summary>
    public static string? SecretOf(string? secretsJson)
    {
        if (string.IsNullOrEmpty(secretsJson))
        {
            return null;
        }
        using var doc = JsonDocument.Parse(secretsJson);
        return doc.RootElement.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } secret
            ? secret : null;
    }

    public static bool Accepts(string secret, string? signature, string? presentedSecret, ReadOnlySpan<byte> body)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        if (!string.IsNullOrEmpty(signature))
        {
            if (!signature.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            byte[] claimed;
            try
            {
                claimed = Convert.FromHexString(signature.AsSpan(Prefix.Length).Trim());
            }
            catch (FormatException)
            {
                return false;
            }
            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, body), claimed);
        }
        return !string.IsNullOrEmpty(presentedSecret)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presentedSecret), key);
    }
}
