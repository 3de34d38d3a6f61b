using System.Security.Claims;
using Parley.Domain;
using Parley.Server.Auth;
using Parley.Server.Errors;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;
using Parley.Transactional.Users;
using static Parley.Server.Transactional.Responses;

namespace Parley.Server.Transactional;

/// <summary>CRUD of an account's users, API keys, agents, contacts and integrations; lists are keyset-paged.</summary>
internal static class TenantCrudEndpoints
{
    public sealed record CreateApiKeyRequest(string? Name, string[]? Scopes, DateTimeOffset? ExpiresAt);

    public static IEndpointRouteBuilder MapTenantCrudEndpoints(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/v1/agents").RequireTenant().RequireScope(ApiKeyScopes.Agents).WithCrudProblems().WithTags("Agents");
        agents.MapGet("/", async (int? limit, string? after, AgentService s, CancellationToken ct) =>
            TypedResults.Ok(List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of)));
        agents.MapPost("/", async (AgentInput body, AgentService s, CancellationToken ct) =>
        {
            var a = await s.CreateAsync(body, ct);
            return TypedResults.Created($"/v1/agents/{a.Id}", Of(a));
        });
        agents.MapGet("/{id:guid}", async (Guid id, AgentService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.GetAsync(id, ct))));
        agents.MapPatch("/{id:guid}", async (Guid id, AgentInput body, AgentService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.UpdateAsync(id, body, ct))));
        agents.MapDelete("/{id:guid}", async (Guid id, AgentService s, CancellationToken ct) =>
        {
            await s.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        });

        var contacts = app.MapGroup("/v1/contacts").RequireTenant().RequireScope(ApiKeyScopes.Contacts).WithCrudProblems().WithTags("Contacts");
        contacts.MapGet("/", async (int? limit, string? after, ContactService s, CancellationToken ct) =>
            TypedResults.Ok(List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of)));
        contacts.MapPost("/", async (ContactInput body, ContactService s, CancellationToken ct) =>
        {
            var c = await s.CreateAsync(body, ct);
            return TypedResults.Created($"/v1/contacts/{c.Id}", Of(c));
        });
        contacts.MapGet("/{id:guid}", async (Guid id, ContactService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.GetAsync(id, ct))));
        contacts.MapPatch("/{id:guid}", async (Guid id, ContactInput body, ContactService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.UpdateAsync(id, body, ct))));
        contacts.MapDelete("/{id:guid}", async (Guid id, ContactService s, CancellationToken ct) =>
        {
            await s.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        });

        var users = app.MapGroup("/v1/users").RequireTenant().RequireScope(ApiKeyScopes.Users).WithCrudProblems().WithTags("Users");
        users.MapGet("/", async (int? limit, string? after, UserService s, CancellationToken ct) =>
            TypedResults.Ok(List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of)));
        users.MapPost("/", async (UserInput body, UserService s, CancellationToken ct) =>
        {
            var u = await s.CreateAsync(body, ct);
            return TypedResults.Created($"/v1/users/{u.Id}", Of(u));
        });
        users.MapGet("/{id:guid}", async (Guid id, UserService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.GetAsync(id, ct))));
        users.MapPatch("/{id:guid}", async (Guid id, UserInput body, UserService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.UpdateAsync(id, body, ct))));
        users.MapDelete("/{id:guid}", async (Guid id, UserService s, CancellationToken ct) =>
        {
            await s.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        });

        var integrations = app.MapGroup("/v1/integrations").RequireTenant().RequireScope(ApiKeyScopes.Integrations).WithCrudProblems().WithTags("Integrations");
        integrations.MapGet("/", async (int? limit, string? after, IntegrationService s, CancellationToken ct) =>
            TypedResults.Ok(List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of)));
        integrations.MapPost("/", async (IntegrationInput body, IntegrationService s, CancellationToken ct) =>
        {
            var i = await s.CreateAsync(body, ct);
            return TypedResults.Created($"/v1/integrations/{i.Id}", Of(i));
        });
        integrations.MapGet("/{id:guid}", async (Guid id, IntegrationService s, CancellationToken ct) =>
            TypedResults.Ok(Of(await s.GetAsync(id, ct))));
        integrations.MapPatch("/{id:guid}", async (Guid id, IntegrationInput body, IntegrationService s,
            CancellationToken ct) =>
            TypedResults.Ok(Of(await s.UpdateAsync(id, body, ct))));
        integrations.MapDelete("/{id:guid}", async (Guid id, IntegrationService s, CancellationToken ct) =>
        {
            await s.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        });

        var keys = app.MapGroup("/v1/api-keys").RequireTenant().RequireScope(ApiKeyScopes.Keys).WithCrudProblems().WithTags("API keys");
        keys.MapGet("/", async (int? limit, string? after, ApiKeyService s, CancellationToken ct) =>
            TypedResults.Ok(List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of)));
        keys.MapPost("/", async (CreateApiKeyRequest body, ApiKeyService s, ITenantContext tenant, ClaimsPrincipal user,
            CancellationToken ct) =>
        {
            var held = user.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(c => c.Value).ToList();
            var created = await s.CreateAsync(tenant.Scope.RequireAccount(), body.Name, body.Scopes, body.ExpiresAt, held, ct);
            var answer = new CreatedApiKeyResponse(Of(created.Key), created.Secret);
            return TypedResults.Created($"/v1/api-keys/{created.Key.Id}", answer);
        });
        keys.MapDelete("/{id:guid}", async (Guid id, ApiKeyService s, ApiKeyAuthenticator auth,
            CancellationToken ct) =>
        {
            var revoked = await s.RevokeAsync(id, ct);
            auth.Forget(revoked.Hash);
            return TypedResults.NoContent();
        });
        return app;
    }

    private static ListResponse<TOut> List<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Next);
}
