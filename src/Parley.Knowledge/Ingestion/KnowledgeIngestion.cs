using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Parley.Data;
using Parley.Domain;
using Pgvector;

namespace Parley.Knowledge.Ingestion;

/// <summary>
/// The write side of the knowledge base, on the raw driver: chunk, embed in batches, and write a
/// document with all its chunks in one batch (one round trip, one transaction), so a document is searchable
/// completely or not at all. The same content again is a no-op (content hash).
/// </summary>
public sealed class KnowledgeIngestion(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    IOptions<KnowledgeOptions> options,
    VectorSchema schema,
    ReadRouting routing,
    KnowledgeMetrics metrics)
{
    private const int EmbeddingBatch = 32;

    public async Task<IngestResult> IngestAsync(AccountId account, IngestRequest request, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        Validate(request);
        var metadata = MetadataJson(request);
        var hash = ContentHash(request);
        var scope = TenantScope.For(account);

        var existing = await FindAsync(scope, request.Source, cancellationToken);
        if (existing is { } e && e.Hash.AsSpan().SequenceEqual(hash))
        {
            return new IngestResult(e.Id, e.Chunks, IngestStatus.Unchanged);
        }

        var chunks = new Ingestion.Chunker(options.Value.ChunkTokens, options.Value.ChunkOverlap).Split(request.Document);
        var vectors = new List<float[]>(chunks.Count);
        var generation = new EmbeddingGenerationOptions { AdditionalProperties = new()
        {
            [EmbeddingProperties.Account] = account.ToString(),
            [EmbeddingProperties.Priority] = EmbeddingPriority.Background,
        } };
        progress?.Report((0, chunks.Count));
        foreach (var batch in chunks.Chunk(EmbeddingBatch))
        {
            var generated = await embeddings.GenerateAsync(batch.Select(c => c.Content), generation, cancellationToken);
            vectors.AddRange(generated.Select(g => g.Vector.ToArray()));
            progress?.Report((vectors.Count, chunks.Count));
        }
        if (vectors.Any(v => v.Length != schema.Dimensions))
        {
            throw new InvalidOperationException($"The embedding model returned vectors of {vectors[0].Length} dimensions; the database holds {schema.Dimensions}.");
        }

        var started = Stopwatch.GetTimestamp();
        // A chunk keeps only its own metadata (its heading path, capped by the extractor); the
        // document's metadata and source are stored once on the document and joined at search.
        var rows = chunks.Select((c, i) =>
            new ChunkRow(Guid.CreateVersion7(), c.Ordinal, c.Content, ChunkMetadata(c), vectors[i])).ToList();
        var documentId = await WriteAsync(scope, existing?.Id ?? Guid.CreateVersion7(), request, hash, metadata, rows, cancellationToken);
        routing.MarkWritten(account);
        metrics.Ingested(account, rows.Count, Stopwatch.GetElapsedTime(started));
        return new IngestResult(documentId, rows.Count, existing is null ? IngestStatus.Created : IngestStatus.Replaced);
    }

    /// <summary>The rules every document meets before anything is embedded or queued (400 otherwise).</summary>
    public void Validate(IngestRequest request)
    {
        var text = request.Document.PlainText;
        new Validation()
            .Text(request.Title, "title", 500)
            .Text(request.Source, "source", 1000)
            .Require(!string.IsNullOrWhiteSpace(text), "text", "The document has no text.")
            .Require(Encoding.UTF8.GetByteCount(text) <= options.Value.MaxDocumentBytes, "text", $"The document is larger than {options.Value.MaxDocumentBytes} bytes.")
            .Require(request.Metadata is null || request.Metadata.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null, "metadata", "metadata must be a JSON object.")
            .Require(Encoding.UTF8.GetByteCount(MetadataJson(request)) <= JsonLimits.MetadataBytes, "metadata", $"metadata is larger than {JsonLimits.MetadataBytes} bytes.")
            .ThrowIfInvalid();
    }

    /// <summary><c>{"headings": [...]}</c>: what a search result adds to its document's metadata.</summary>
    private static string ChunkMetadata(Chunk chunk) =>
        new JsonObject { ["headings"] = new JsonArray(chunk.Headings.Select(h => (JsonNode)h).ToArray()) }.ToJsonString();

    /// <summary>
    /// What makes two ingests the same: title, metadata and text. The same hash again is a no-op, and
    /// a background job for a hash already queued is the same job.
    /// </summary>
    public static byte[] ContentHash(IngestRequest request) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Title}\n{MetadataJson(request)}\n{request.Document.PlainText}"));

    private static string MetadataJson(IngestRequest request) =>
        request.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : "{}";

    /// <summary>One chunk row as written (precomputed vectors may come straight here: benchmarks, re-embedding).</summary>
    public sealed record ChunkRow(Guid Id, int Ordinal, string Content, string Metadata, float[] Embedding);

    private async Task<(Guid Id, byte[] Hash, int Chunks)?> FindAsync(TenantScope scope, string source, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(scope).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT id, content_hash, chunk_count FROM knowledge_documents WHERE account_id = $1 AND source = $2")
        {
            Parameters = { new() { Value = scope.RequireAccount().Value }, new() { Value = source } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetGuid(0), reader.GetFieldValue<byte[]>(1), reader.GetInt32(2))
            : null;
    }

    /// <summary>
    /// The document and all its chunks in one batch: one round trip, one implicit transaction, so a
    /// document is searchable completely or not at all. The chunks travel as arrays (binary, one per
    /// column) that the INSERT unnests. PostgreSQL refuses COPY FROM into a table under row-level
    /// security, and the COPY into a temporary table this replaced cost a CREATE TEMP TABLE (catalog
    /// writes), a second copy of every row and five more round trips per document: with many small
    /// documents that overhead, not the rows, set the load rate (docs/scaling.md).
    /// </summary>
    public async Task<Guid> WriteAsync(TenantScope scope, Guid documentId, IngestRequest request, byte[] hash, string metadata, IReadOnlyList<ChunkRow> rows, CancellationToken cancellationToken)
    {
        var account = scope.RequireAccount().Value;
        // The document's id as the upsert left it: a replaced document keeps its first id.
        const string Document = "(SELECT id FROM knowledge_documents WHERE account_id = $1 AND source = $2)";
        await using var batch = dataSource.ForTenant(scope).CreateBatch();
        batch.Timeout = options.Value.IngestWriteTimeoutSeconds;
        batch.Add(new NpgsqlBatchCommand("""
            INSERT INTO knowledge_documents (account_id, id, source, title, content_hash, metadata, chunk_count, status)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 'ready')
            ON CONFLICT (account_id, source) DO UPDATE
              SET title = excluded.title, content_hash = excluded.content_hash, metadata = excluded.metadata,
                  chunk_count = excluded.chunk_count, status = 'ready', updated_at = now()
            RETURNING id
            """)
        {
            Parameters =
            {
                new() { Value = account }, new() { Value = documentId }, new() { Value = request.Source }, new() { Value = request.Title },
                new() { Value = hash }, new() { Value = metadata }, new() { Value = rows.Count },
            },
        });
        batch.Add(new NpgsqlBatchCommand($"DELETE FROM knowledge_chunks WHERE account_id = $1 AND document_id = {Document}")
        {
            Parameters = { new() { Value = account }, new() { Value = request.Source } },
        });
        batch.Add(new NpgsqlBatchCommand($"""
            INSERT INTO knowledge_chunks (account_id, id, document_id, ordinal, content, metadata, embedding, language, embedding_model)
            SELECT $1, u.id, {Document}, u.ordinal, u.content, u.metadata, u.embedding, (SELECT language FROM accounts WHERE id = $1)::regconfig, $3
            FROM unnest($4::uuid[], $5::integer[], $6::text[], $7::jsonb[], $8::vector[]) AS u (id, ordinal, content, metadata, embedding)
            """)
        {
            Parameters =
            {
                new() { Value = account }, new() { Value = request.Source }, new() { Value = schema.Model },
                new() { Value = rows.Select(r => r.Id).ToArray() },
                new() { Value = rows.Select(r => r.Ordinal).ToArray() },
                new() { Value = rows.Select(r => r.Content).ToArray() },
                new() { Value = rows.Select(r => r.Metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                new() { Value = rows.Select(r => new Vector(r.Embedding)).ToArray() },
            },
        });
        batch.Add(new NpgsqlBatchCommand("""
            INSERT INTO knowledge_tenant_stats AS s (account_id, chunk_count, document_count, version)
            VALUES ($1, (SELECT count(*) FROM knowledge_chunks WHERE account_id = $1), (SELECT count(*) FROM knowledge_documents WHERE account_id = $1), 1)
            ON CONFLICT (account_id) DO UPDATE
              SET chunk_count = excluded.chunk_count, document_count = excluded.document_count, version = s.version + 1, updated_at = now()
            """)
        {
            Parameters = { new() { Value = account } },
        });
        // The document's embedding, metered with it, in its transaction: a document is billed if and
        // only if it was written. Tokens estimated as BillingService.EstimateTokens does (Parley.Knowledge
        // does not reference the transactional side); the kind is its EmbeddingTokens.
        batch.Add(new NpgsqlBatchCommand("""
            INSERT INTO usage_records (account_id, id, kind, quantity, occurred_at)
            VALUES ($1, $2, 'embedding_tokens', $3, now())
            """)
        {
            Parameters =
            {
                new() { Value = account }, new() { Value = Guid.CreateVersion7() },
                new() { Value = (decimal)rows.Sum(r => Math.Max(1, (r.Content.Length + 3) / 4)) },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        documentId = reader.GetGuid(0);
        // Read to the end: the later statements' errors (a constraint, a policy) surface here, and the
        // implicit transaction commits only when every statement has run.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        return documentId;
    }
}
