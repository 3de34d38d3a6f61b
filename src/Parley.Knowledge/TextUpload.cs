using System.Text.Json;

namespace Parley.Knowledge;

/// <summary>A document sent as text (read as Markdown); <paramref name="Source"/> defaults to the title.</summary>
public sealed record TextUpload(string? Title, string? Text, JsonElement? Metadata, string? Source);
