namespace Parley.Knowledge;

/// <summary>A file sent for ingestion, as a multipart form carries it.</summary>
/// <param name="Length">
/// The declared size, checked against <c>Parley:Knowledge:MaxDocumentBytes</c> before <paramref name="Content"/>
/// is read.
/// </param>
/// <param name="Title">Overrides the title the extractor finds (the first heading, else the file's name).</param>
/// <param name="Source">
/// Names the document within the account (default: the file's name); the same source again replaces it.
/// </param>
/// <param name="Metadata">A JSON object, as text (a form field).</param>
public sealed record FileUpload(
    string FileName, string? ContentType, long Length, Stream Content, string? Title, string? Source, string? Metadata);
