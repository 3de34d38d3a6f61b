using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Parley.Server.Auth;

/// <summary>
/// A key refused for want of a scope gets a 403 problem that names it (<c>missingScope</c>), so its
/// owner knows which key to mint; every other outcome is the framework's.
/// </summary>
internal sealed class ScopeProblemResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string ProblemType = "https://parley.dev/problems/missing-scope";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden &&
            authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is { } missing)
        {
            await Forbidden(missing.Scope).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    public static IResult Forbidden(string scope) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "This key lacks a scope", type: ProblemType,
        detail: $"This endpoint needs the scope '{scope}', which this API key does not hold.",
        extensions: new Dictionary<string, object?> { ["missingScope"] = scope });
}
