using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.AI;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Jobs;
using Parley.Knowledge.Search;
using Parley.Server.Auth;
using Parley.Transactional.ApiKeys;
using Parley.Server.Errors;

namespace Parley.Server.Knowledge;

internal static class KnowledgeEndpoints
{
    /// <summary>The body limit of <c>POST /v1/knowledge/documents</c> (what Kestrel allowed every request before).</summary>
    public const long DocumentBodyBytes = 64 * 1024 * 1024;

    public sealed record DocumentRequest(string? Title, string? Text, JsonElement? Metadata, string? Source);

    /// <summary>
    /// The search body; <c>explain</c> (or <c>?explain=true</c>) adds the <c>EXPLAIN (ANALYZE, BUFFERS)</c> plan as
    /// <c>plan</c>.
    /// </summary>
    /// <param name="Vector">
    /// Optional query embedding (the deployment's dimensions): searched as given instead of embedding
    /// <paramref name="Query"/>.
    /// </param>
    public sealed record SearchBody(
        string? Query, int? TopK, double? MinSimilarity, JsonElement? Filter, string? Mode, bool? Explain,
        float[]? Vector);

    /// <summary>A document ingested while the caller waited.</summary>
    public sealed record DocumentUploadResponse(Guid DocumentId, int Chunks, IngestStatus Status);

    /// <summary>A document queued as a background job; <c>location</c> is where its progress is read.</summary>
    public sealed record JobAcceptedResponse(Guid JobId, JobStatus Status, string Location);

    /// <summary>The passages found, the timings and the plan that ran (<see cref="SearchResponse"/>).</summary>
    /// <param name="Plan">Only when explained: the <c>EXPLAIN (ANALYZE, BUFFERS)</c> output; absent otherwise.</param>
    public sealed record SearchAnswer(
        IReadOnlyList<SearchHit> Results, SearchTimings Timings, string Strategy,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Plan = null);

    public static IEndpointRouteBuilder MapKnowledgeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/knowledge").RequireTenant().WithCrudProblems().WithTags("Knowledge");
        // A document: a file up to Parley:Knowledge:MaxDocumentBytes, or its text as JSON (escaped, up to six bytes a character).
        group.MapPost("/documents", UploadAsync).DisableAntiforgery().WithBodyLimit(DocumentBodyBytes)
            .RequireScope(ApiKeyScopes.KnowledgeWrite);
        group.MapGet("/documents", async (int? limit, string? after, KnowledgeDocuments docs, ITenantContext tenant,
            CancellationToken ct) =>
        {
            var page = PageRequest.Parse(limit, after);
            var (items, next) = await docs.ListAsync(tenant.Scope.RequireAccount(), page.Limit, page.After, ct);
            return TypedResults.Ok(new ListResponse<DocumentInfo>(items, next));
        }).RequireScope(ApiKeyScopes.KnowledgeRead);
        group.MapGet("/documents/{id:guid}", async (Guid id, KnowledgeDocuments docs, ITenantContext tenant,
            CancellationToken ct) =>
            TypedResults.Ok(await docs.GetAsync(tenant.Scope.RequireAccount(), id, ct))).RequireScope(ApiKeyScopes.KnowledgeRead);
        group.MapDelete("/documents/{id:guid}", async (Guid id, KnowledgeDocuments docs, ITenantContext tenant,
            CancellationToken ct) =>
        {
            await docs.DeleteAsync(tenant.Scope.RequireAccount(), id, ct);
            return TypedResults.NoContent();
        }).RequireScope(ApiKeyScopes.KnowledgeWrite);
        // A query of 2 000 characters, a 4 KB filter, a 1 536-dimension vector: tens of kilobytes.
        group.MapPost("/search", SearchAsync).WithBodyLimit(128 * 1024).RequireScope(ApiKeyScopes.KnowledgeRead);
        group.MapGroup("").RequireScope(ApiKeyScopes.KnowledgeRead).MapKnowledgeJobEndpoints();
        return app;
    }

    /// <summary>
    /// JSON <c>{title, text}</c> or a multipart <c>file</c>; whether it is ingested now (201, or 200 when
    /// unchanged) or queued (202 with the job's address) is <see cref="KnowledgeUploads"/>'s decision.
    /// </summary>
    private static async Task<Results<Created<DocumentUploadResponse>, Ok<DocumentUploadResponse>,
        Accepted<JobAcceptedResponse>, ProblemHttpResult>> UploadAsync(HttpRequest http,
        [FromQuery(Name = "async")] bool? background, KnowledgeUploads uploads, ITenantContext tenant,
        CancellationToken ct)
    {
        var account = tenant.Scope.RequireAccount();
        UploadResult result;
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync(ct);
            var file = form.Files["file"]
                ?? throw new InvalidRequestException("file", "Send the document as a multipart field named 'file'.");
            await using var content = file.OpenReadStream();
            var upload = new FileUpload(file.FileName, file.ContentType, file.Length, content,
                NonEmpty(form["title"]), NonEmpty(form["source"]), NonEmpty(form["metadata"]));
            result = await uploads.UploadFileAsync(account, upload, background, ct);
        }
        else if (http.HasJsonContentType())
        {
            var body = await http.ReadFromJsonAsync<DocumentRequest>(ct)
                ?? throw new InvalidRequestException("body", "A JSON body is required.");
            var upload = new TextUpload(body.Title, body.Text, body.Metadata, body.Source);
            result = await uploads.UploadTextAsync(account, upload, background, ct);
        }
        else
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send application/json {title, text} or multipart/form-data with a 'file'.");
        }
        if (result.Job is { } job)
        {
            var location = $"/v1/knowledge/jobs/{job.Id}";
            return TypedResults.Accepted(location, new JobAcceptedResponse(job.Id, job.Status, location));
        }
        var document = result.Document!;
        var answer = new DocumentUploadResponse(document.DocumentId, document.Chunks, document.Status);
        return document.Status == IngestStatus.Unchanged
            ? TypedResults.Ok(answer)
            : TypedResults.Created($"/v1/knowledge/documents/{document.DocumentId}", answer);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task<Ok<SearchAnswer>> SearchAsync(SearchBody body, bool? explain, KnowledgeSearch search,
        IEmbeddingGenerator<string, Embedding<float>> embeddings, ITenantContext tenant, CancellationToken ct)
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
            return TypedResults.Ok(new SearchAnswer(response.Results, response.Timings, response.Strategy));
        }
        // The same statement again under EXPLAIN, in the same tenant scope; the query's embedding is in the cache.
        var vector = body.Vector ?? await embeddings.GenerateVectorAsync(request.Query, cancellationToken: ct);
        var plan = await search.ExplainAsync(account, request, vector, ct);
        return TypedResults.Ok(new SearchAnswer(response.Results, response.Timings, response.Strategy, plan));
    }
}
