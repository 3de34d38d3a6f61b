using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Calls.Conversation;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Transactional.Integrations;

namespace Parley.Server.Vapi;

/// <summary>
/// <c>POST /v1/integrations/vapi/{integrationId}/knowledge-base</c>: Vapi's custom knowledge base. Vapi
/// sends the conversation (<c>knowledge-base-request</c>) and wants documents back, "ideally under
/// ~50 ms". Vapi cannot send a Parley key: the integration's id and secret authenticate, and the tenant
/// is the integration's account. Retrieval runs on the last user message with the integration's
/// settings <c>{topK, minSimilarity}</c> (defaults 3 and none). Vapi sends the whole conversation, so a
/// follow-up ("and on Sundays?") is searched as its standalone question, formed by the same local rule
/// as a phone turn's (<see cref="FollowUpRewriter"/>) over the caller's last few messages.
/// </summary>
internal static class VapiKnowledgeBaseEndpoints
{
    public const string Kind = "vapi";
    public const string RequestType = "knowledge-base-request";
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>User messages folded into a follow-up's standalone question: a chain of follow-ups stays anchored, the cost stays flat.</summary>
    private const int RewriteWindow = 4;

    public sealed record VapiDocument(string Content, double Similarity, string Uuid);

    public sealed record VapiDocuments(IReadOnlyList<VapiDocument> Documents);

    public static IEndpointRouteBuilder MapVapiEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/integrations/vapi/{integrationId:guid}/knowledge-base", KnowledgeBaseAsync)
            .AllowAnonymous().WithTags("Vapi")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Results<Ok<VapiDocuments>, ProblemHttpResult>> KnowledgeBaseAsync(
        Guid integrationId, HttpRequest http, IntegrationCredentialLookup integrations, ITenantContext tenant,
        IKnowledgeSearch search, IOptions<CallOptions> calls, CancellationToken ct)
    {
        if (http.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: "A knowledge-base request is at most 1 MB.");
        }
        using var raw = new MemoryStream();
        await http.Body.CopyToAsync(raw, ct);
        var body = raw.GetBuffer().AsMemory(0, (int)raw.Length);
        var integration = await integrations.FindAsync(integrationId, Kind, ct);
        var secret = VapiSignature.SecretOf(integration?.Secrets);
        if (integration is null || secret is null || !VapiSignature.Accepts(secret, http.Headers[VapiSignature.SignatureHeader],
                http.Headers[VapiSignature.SecretHeader], body.Span))
        {
            // One answer for an unknown integration and a wrong signature: the id alone tells nothing.
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized",
                detail: $"Sign the body with the integration's secret ({VapiSignature.SignatureHeader}: sha256=<hex>) or send {VapiSignature.SecretHeader}.");
        }
        tenant.Scope = TenantScope.For(integration.Account);
        string? question;
        try
        {
            var asked = UserMessagesOf(body);
            question = asked.Count == 0 ? null : calls.Value.RewriteFollowUps ? Standalone(asked) : asked[^1];
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidRequestException e)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad request", detail: e.Message);
        }
        if (string.IsNullOrWhiteSpace(question))
        {
            return TypedResults.Ok(new VapiDocuments([]));
        }
        var (topK, minSimilarity) = SettingsOf(integration.Settings);
        var found = await search.SearchAsync(integration.Account, new SearchRequest(question, topK, minSimilarity), ct);
        return TypedResults.Ok(new VapiDocuments(found.Results.Select(r => new VapiDocument(r.Content, r.Similarity, r.ChunkId.ToString())).ToList()));
    }

    /// <summary>
    /// The last message's standalone question: each of the last few user messages rewritten against
    /// the one before it, as a call's turns are (a follow-up of a follow-up keeps the first topic).
    /// </summary>
    private static string Standalone(IReadOnlyList<string> asked)
    {
        if (string.IsNullOrWhiteSpace(asked[^1]))
        {
            return asked[^1];
        }
        var standalone = "";
        foreach (var message in asked.TakeLast(RewriteWindow).Where(m => !string.IsNullOrWhiteSpace(m)))
        {
            standalone = standalone.Length == 0 ? message : FollowUpRewriter.Rewrite(message, [standalone]).Text;
        }
        return standalone;
    }

    /// <summary>The user messages' texts, oldest first; other message types are refused.</summary>
    private static List<string> UserMessagesOf(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("message", out var message)
            || message.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("message", "The body must be {\"message\": {\"type\": \"knowledge-base-request\", …}}.");
        }
        if (!message.TryGetProperty("type", out var type) || !type.ValueEquals(RequestType))
        {
            throw new InvalidRequestException("message.type", $"Only '{RequestType}' messages are served here.");
        }
        if (!message.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        return messages.EnumerateArray()
            .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("role", out var role) && role.ValueEquals("user")
                && m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            .Select(m => m.GetProperty("content").GetString()!)
            .ToList();
    }

    private static (int TopK, double? MinSimilarity) SettingsOf(string settings)
    {
        using var doc = JsonDocument.Parse(settings);
        var root = doc.RootElement;
        var topK = root.TryGetProperty("topK", out var k) && k.TryGetInt32(out var n) && n is >= 1 and <= 20 ? n : 3;
        double? min = root.TryGetProperty("minSimilarity", out var m) && m.TryGetDouble(out var d) ? d : null;
        return (topK, min);
    }
}
