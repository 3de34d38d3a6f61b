using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Parley.Domain;
using Parley.Server.Errors;

namespace Parley.Server.Auth;

internal static class AuthHostingExtensions
{
    public const string AdminPolicy = "platform-admin";

    public static WebApplicationBuilder AddParleyAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole("platform"));
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeProblemResultHandler>();
        return builder;
    }

    /// <summary>Every endpoint of the group needs the API-key scope <paramref name="scope"/> (403 naming it otherwise).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));

    /// <summary>
    /// For endpoints that act on one account's data: an authenticated caller whose scope names an
    /// account (a tenant key, or the admin key with X-Parley-Account). Handlers then read
    /// <c>ITenantContext.Scope.RequireAccount()</c>.
    /// </summary>
    public static RouteGroupBuilder RequireTenant(this RouteGroupBuilder group)
    {
        group.RequireAuthorization();
        group.ProducesProblem(StatusCodes.Status400BadRequest);
        group.WithKeyProblems();
        group.AddEndpointFilter(async (ctx, next) =>
        {
            var tenant = ctx.HttpContext.RequestServices.GetRequiredService<ITenantContext>();
            return tenant.Scope.Account is null
                ? TypedResults.Problem(statusCode: 400, title: "This endpoint needs an account",
                    detail: $"Use an account's API key, or the admin key with the {ApiKeyAuthenticationHandler.ActAsHeader} header.")
                : await next(ctx);
        });
        return group;
    }
}
