using System.Text.Json;
using Parley.Knowledge.Extraction;

namespace Parley.Knowledge.Ingestion;

/// <summary>A document to make searchable. <paramref name="Source"/> names it within the account (file path, URI or title).</summary>
public sealed record IngestRequest(string Source, string Title, ExtractedDocument Document, JsonElement? Metadata = null);

/// <summary><c>created</c>, <c>replaced</c> (content changed) or <c>unchanged</c> (same content: nothing written).</summary>
public sealed record IngestResult(Guid DocumentId, int Chunks, string Status);

/// <summary>A stored document as listed.</summary>
public sealed record DocumentInfo(Guid Id, string Source, string Title, int Chunks, string Status, JsonElement Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
