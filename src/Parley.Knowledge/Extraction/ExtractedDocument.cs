namespace Parley.Knowledge.Extraction;

/// <summary>A run of paragraphs under one heading path (e.g. ["Menu", "Desserts"]).</summary>
public sealed record Section(IReadOnlyList<string> Headings, IReadOnlyList<string> Paragraphs);

/// <summary>Clean text of a document, its structure kept: what the chunker works from.</summary>
public sealed record ExtractedDocument(string? Title, IReadOnlyList<Section> Sections)
{
    /// <summary>
    /// The whole text, headings included, joined once at construction: validation, the content hash and
    /// a queued job each read it, and a document can be megabytes.
    /// </summary>
    public string PlainText { get; } = string.Join("\n\n", Sections.Select(s =>
        string.Join("\n", s.Headings.Count > 0 ? [string.Join(" > ", s.Headings), .. s.Paragraphs] : s.Paragraphs)));
}
