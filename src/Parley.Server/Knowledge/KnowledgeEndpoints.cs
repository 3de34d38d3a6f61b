using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;
using Parley.Knowledge.Search;
using Parley.Server.Auth;
using Parley.Server.Errors;
using Parley.Transactional;

namespace Parley.Server.Knowledge;

internal static class KnowledgeEndpoints
{
    /// <summary>The body limit of <c>POST /v1/knowledge/documents</c> (what Kestrel allowed every request before).</summary>
    public const long DocumentBodyBytes = 64 * 1024 * 1024;

    public sealed record DocumentRequest(string? Title, string? Text, JsonElement? Metadata, string? Source);
    /// <summary>The search body; <c>explain</c> (or <c>?explain=true</c>) adds the <c>EXPLAIN (ANALYZE, BUFFERS)</c> plan as <c>plan</c>.</summary>
    /// <param name="Vector">Optional query embedding (the deployment's dimensions): searched as given instead of embedding <paramref name="Query"/>.</param>
    public sealed record SearchBody(string? Query, int? TopK, double? MinSimilarity, JsonElement? Filter, string? Mode, bool? Explain, float[]? Vector);

    public static IEndpointRouteBuilder MapKnowledgeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/knowledge").RequireTenant().WithTags("Knowledge");
        // A document: a file up to Parley:Knowledge:MaxDocumentBytes, or its text as JSON (escaped, up to six bytes a character).
        group.MapPost("/documents", UploadAsync).DisableAntiforgery().WithBodyLimit(DocumentBodyBytes);
        group.MapGet("/documents", async (int? limit, string? after, KnowledgeDocuments docs, ITenantContext tenant, CancellationToken ct) =>
        {
            var page = PageRequest.Parse(limit, after);
            var (items, next) = await docs.ListAsync(tenant.Scope.RequireAccount(), page.Limit, page.After, ct);
            return new { items, next };
        });
        group.MapGet("/documents/{id:guid}", async (Guid id, KnowledgeDocuments docs, ITenantContext tenant, CancellationToken ct) =>
            await docs.GetAsync(tenant.Scope.RequireAccount(), id, ct));
        group.MapDelete("/documents/{id:guid}", async (Guid id, KnowledgeDocuments docs, ITenantContext tenant, CancellationToken ct) =>
        {
            await docs.DeleteAsync(tenant.Scope.RequireAccount(), id, ct);
            return Results.NoContent();
        });
        // A query of 2 000 characters, a 4 KB filter, a 1 536-dimension vector: tens of kilobytes.
        group.MapPost("/search", SearchAsync).WithBodyLimit(128 * 1024);
        group.MapKnowledgeJobEndpoints();
        return app;
    }

    /// <summary>
    /// Small documents are ingested while the caller waits (201/200). Larger ones than
    /// <c>Parley:Knowledge:Jobs:AsyncAboveBytes</c>, or any with <c>?async=true</c>, are queued as a
    /// durable job: 202 with the job's id and address. Every document is extracted in the extractor
    /// sandbox (a child process), never here: JSON text and a waited-for file now (a bad one is a
    /// 400), a queued file by the worker (a bad one fails its job, with the reason).
    /// </summary>
    private static async Task<IResult> UploadAsync(HttpRequest http, [FromQuery(Name = "async")] bool? background, KnowledgeIngestion ingestion,
        IngestionJobStore jobs, IngestionJobWorker worker, ExtractionSandbox extraction, ITenantContext tenant, IOptions<KnowledgeOptions> options,
        IOptions<IngestionJobOptions> jobOptions, CancellationToken ct)
    {
        var account = tenant.Scope.RequireAccount();
        IngestRequest request;
        long bytes;
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync(ct);
            var file = form.Files["file"] ?? throw new InvalidRequestException("file", "Send the document as a multipart field named 'file'.");
            if (file.Length > options.Value.MaxDocumentBytes)
            {
                throw new InvalidRequestException("file", $"The file is {file.Length} bytes; the limit is {options.Value.MaxDocumentBytes}.");
            }
            bytes = file.Length;
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            var title = form["title"].ToString() is { Length: > 0 } t ? t : null;
            JsonElement? metadata = form["metadata"].ToString() is { Length: > 0 } m ? ParseMetadata(m) : null;
            var source = form["source"].ToString() is { Length: > 0 } s ? s : file.FileName;
            if (background ?? bytes > jobOptions.Value.AsyncAboveBytes)
            {
                var (queued, _) = await jobs.EnqueueFileAsync(account, source, new JobFile(file.FileName, file.ContentType, title, buffer.ToArray()), metadata, ct);
                return Queued(queued, worker);
            }
            var extracted = await extraction.ExtractAsync(file.FileName, file.ContentType, buffer.ToArray(), title, ct);
            request = new IngestRequest(source, extracted.Title ?? Path.GetFileNameWithoutExtension(file.FileName), extracted, metadata);
        }
        else if (http.HasJsonContentType())
        {
            var body = await http.ReadFromJsonAsync<DocumentRequest>(ct) ?? throw new InvalidRequestException("body", "A JSON body is required.");
            new Validation().Text(body.Title, "title", 500).Text(body.Text, "text", options.Value.MaxDocumentBytes).ThrowIfInvalid();
            var text = System.Text.Encoding.UTF8.GetBytes(body.Text!);
            bytes = text.Length;
            var extracted = await extraction.ExtractAsync("text.md", "text/markdown", text, body.Title, ct);
            request = new IngestRequest(body.Source ?? body.Title!, body.Title!, extracted, body.Metadata);
        }
        else
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send application/json {title, text} or multipart/form-data with a 'file'.");
        }
        if (background ?? bytes > jobOptions.Value.AsyncAboveBytes)
        {
            var (job, _) = await jobs.EnqueueAsync(account, request, bytes, ct);
            return Queued(job, worker);
        }
        var result = await ingestion.IngestAsync(account, request, null, ct);
        var response = new { documentId = result.DocumentId, chunks = result.Chunks, status = result.Status };
        return result.Status == "unchanged" ? Results.Ok(response) : Results.Created($"/v1/knowledge/documents/{result.DocumentId}", response);
    }

    private static IResult Queued(IngestionJob job, IngestionJobWorker worker)
    {
        worker.Wake();
        var location = $"/v1/knowledge/jobs/{job.Id}";
        return Results.Accepted(location, new { jobId = job.Id, status = job.Status, location });
    }

    private static JsonElement ParseMetadata(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException)
        {
            throw new InvalidRequestException("metadata", "metadata must be a JSON object.");
        }
    }

    private static async Task<IResult> SearchAsync(SearchBody body, bool? explain, KnowledgeSearch search, IEmbeddingGenerator<string, Embedding<float>> embeddings, ITenantContext tenant, CancellationToken ct)
    {
        var account = tenant.Scope.RequireAccount();
        var mode = body.Mode?.ToLowerInvariant() switch
        {
            null or "vector" => SearchMode.Vector,
            "hybrid" => SearchMode.Hybrid,
            _ => throw new InvalidRequestException("mode", "mode must be 'vector' or 'hybrid'."),
        };
        JsonElement? filter = body.Filter is { ValueKind: not JsonValueKind.Null } f ? f : null;
        var request = new SearchRequest(body.Query ?? "", body.TopK ?? 5, body.MinSimilarity, filter, mode);
        var response = body.Vector is { } given
            ? await search.SearchAsync(account, request, given, ct)
            : await search.SearchAsync(account, request, ct);
        if ((explain ?? body.Explain) != true)
        {
            return Results.Ok(response);
        }
        // The same statement again under EXPLAIN, in the same tenant scope; the query's embedding comes from the cache.
        var vector = body.Vector ?? await embeddings.GenerateVectorAsync(request.Query, cancellationToken: ct);
        var plan = await search.ExplainAsync(account, request, vector, ct);
        return Results.Ok(new { response.Results, response.Timings, response.Strategy, plan });
    }
}
