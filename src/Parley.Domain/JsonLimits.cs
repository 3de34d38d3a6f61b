namespace Parley.Domain;

/// <summary>
/// Size limits (UTF-8 bytes of the JSON text) of the free-form JSON the API stores or matches: each
/// is small data about something, and a stored value is read back with every row, every search
/// result or every turn, so one oversized value costs on every read.
/// </summary>
public static class JsonLimits
{
    /// <summary>A document's metadata (returned with every search result from it) and a contact's.</summary>
    public const int MetadataBytes = 16 * 1024;

    /// <summary>An integration's settings, and its secrets.</summary>
    public const int SettingsBytes = 16 * 1024;

    /// <summary>A search's metadata filter.</summary>
    public const int FilterBytes = 4 * 1024;

    /// <summary>True when <paramref name="value"/> is absent or its JSON text is at most <paramref name="maxBytes"/> bytes of UTF-8.</summary>
    public static bool Fits(System.Text.Json.JsonElement? value, int maxBytes) =>
        value is not { } v || v.ValueKind is System.Text.Json.JsonValueKind.Undefined
        || System.Text.Encoding.UTF8.GetByteCount(v.GetRawText()) <= maxBytes;
}
