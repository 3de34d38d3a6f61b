using Microsoft.AspNetCore.Authorization;
using Parley.Transactional.ApiKeys;

namespace Parley.Server.Auth;

/// <summary>
/// The API-key scope an endpoint needs (<see cref="ApiKeyScopes"/>). The admin key holds every scope;
/// a tenant key those it was created with (<c>*</c>: all). Refused, the answer is a 403 problem naming
/// the scope (<see cref="ScopeProblemResultHandler"/>).
/// </summary>
internal sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var held = context.User.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(c => c.Value).ToList();
        if (ApiKeyScopes.Grants(held, requirement.Scope))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
