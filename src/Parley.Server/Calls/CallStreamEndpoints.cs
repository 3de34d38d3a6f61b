using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Parley.Domain;
using Parley.Server.Auth;
using Parley.Server.Errors;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Calls;

namespace Parley.Server.Calls;

/// <summary>
/// <c>GET /v1/calls/{id}/stream</c>: the call as one WebSocket, the door LiveKit Agents and Pipecat style
/// pipelines use (<see cref="CallSocket"/> carries it). Everything a request can be refused for is settled
/// before the upgrade, with a status and a problem detail: the key (the <c>Authorization</c> header only;
/// a key in the query string would land in access logs), its scope, the rate limit, another tenant's call
/// (404), an ended one (409), a request that is no WebSocket (400).
/// </summary>
internal static class CallStreamEndpoints
{
    public static IEndpointRouteBuilder MapCallStreamEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/calls").RequireTenant().RequireScope(ApiKeyScopes.Calls).WithCrudProblems().WithTags("Calls");
        // Left out of the OpenAPI document, which has no way to describe a WebSocket: the README's section on it does.
        group.MapGet("/{id:guid}/stream", ConnectAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ConnectAsync(
        Guid id, bool? speak, HttpContext http, CallService calls, ITenantContext tenant, IServiceScopeFactory scopes,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<RateLimiterOptions> limits, TimeProvider time,
        CallSocketMetrics metrics, ILogger<CallSocket> logger, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: "This endpoint is a WebSocket: send an upgrade request (Connection: Upgrade, Upgrade: websocket).");
        }
        // Through the tenant's row security: another account's call is not found, before anything is upgraded.
        var call = await calls.FindAsync(id, ct);
        if (call.Status == CallStatus.Ended)
        {
            throw new ConflictException("This call has ended.");
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var session = new CallSocket(socket, http, id, speak ?? true, tenant.Scope, scopes, json.Value.SerializerOptions,
            limits.Value.GlobalLimiter, time, logger);
        metrics.Opened();
        try
        {
            await session.RunAsync(http.RequestAborted);
        }
        finally
        {
            metrics.Closed();
        }
        return TypedResults.Empty;
    }
}
