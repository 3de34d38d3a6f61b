using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Calls.Interim;
using Parley.Server.Auth;
using Parley.Server.Errors;
using Parley.Transactional.ApiKeys;

namespace Parley.Server.Calls;

/// <summary>
/// <c>POST /v1/calls/{id}/turns/interim</c>: an interim transcript, searched in the background while the
/// caller is still speaking, so that the final turn on <c>/turns</c> finds its passages ready. Same auth and
/// tenant rules as a turn; 202 Accepted whatever became of the prefetch, which the body tells.
/// </summary>
internal static class InterimEndpoints
{
    public sealed record InterimRequest(string? Transcript);

    /// <param name="Started">Whether the interim will be searched (now, or right after the call's running prefetch).</param>
    /// <param name="Reason"><c>queued</c>, or why not: <c>duplicate</c>, <c>account_limit</c>, <c>node_limit</c>, <c>disabled</c>.</param>
    public sealed record InterimResponse(bool Started, string? Reason);

    /// <summary>An interim is a few words: its body limit is far below a turn's, which may carry audio.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapInterimEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/calls").RequireTenant().RequireScope(ApiKeyScopes.Calls).WithCrudProblems().WithTags("Calls");
        group.MapPost("/{id:guid}/turns/interim", OfferAsync).WithBodyLimit(MaxBodyBytes);
        return app;
    }

    private static async Task<Accepted<InterimResponse>> OfferAsync(Guid id, InterimRequest body, InterimTranscripts interims, CancellationToken ct)
    {
        var outcome = await interims.OfferAsync(id, body.Transcript, ct);
        return TypedResults.Accepted((string?)null, new InterimResponse(outcome.Started, outcome.Reason));
    }
}
