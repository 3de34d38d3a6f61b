using System.Text.Json;
using Parley.Knowledge.Extraction;

namespace Parley.Knowledge.Ingestion;

/// <summary>A document to make searchable. <paramref name="Source"/> names it within the account (file path, URI or title).</summary>
public sealed record IngestRequest(string Source, string Title, ExtractedDocument Document, JsonElement? Metadata = null);

/// <summary>The document written (or found unchanged) and how many chunks it has.</summary>
public sealed record IngestResult(Guid DocumentId, int Chunks, IngestStatus Status);

/// <summary>A stored document as listed.</summary>
public sealed record DocumentInfo(Guid Id, string Source, string Title, int Chunks, string Status, JsonElement Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
