using Parley.Domain;
using Parley.Server.Auth;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;
using Parley.Transactional.Users;
using static Parley.Server.Transactional.Responses;

namespace Parley.Server.Transactional;

/// <summary>CRUD of an account's users, API keys, agents, contacts and integrations; lists are keyset-paginated.</summary>
internal static class TenantCrudEndpoints
{
    public sealed record CreateApiKeyRequest(string? Name, string[]? Scopes);

    public static IEndpointRouteBuilder MapTenantCrudEndpoints(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/v1/agents").RequireTenant().WithTags("Agents");
        agents.MapGet("/", async (int? limit, string? after, AgentService s, CancellationToken ct) => List(await s.ListAsync(PageRequest.Parse(limit, after), ct), a => a));
        agents.MapPost("/", async (AgentInput body, AgentService s, CancellationToken ct) => { var a = await s.CreateAsync(body, ct); return Results.Created($"/v1/agents/{a.Id}", a); });
        agents.MapGet("/{id:guid}", async (Guid id, AgentService s, CancellationToken ct) => await s.GetAsync(id, ct));
        agents.MapPatch("/{id:guid}", async (Guid id, AgentInput body, AgentService s, CancellationToken ct) => await s.UpdateAsync(id, body, ct));
        agents.MapDelete("/{id:guid}", async (Guid id, AgentService s, CancellationToken ct) => { await s.DeleteAsync(id, ct); return Results.NoContent(); });

        var contacts = app.MapGroup("/v1/contacts").RequireTenant().WithTags("Contacts");
        contacts.MapGet("/", async (int? limit, string? after, ContactService s, CancellationToken ct) => List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of));
        contacts.MapPost("/", async (ContactInput body, ContactService s, CancellationToken ct) => { var c = await s.CreateAsync(body, ct); return Results.Created($"/v1/contacts/{c.Id}", Of(c)); });
        contacts.MapGet("/{id:guid}", async (Guid id, ContactService s, CancellationToken ct) => Of(await s.GetAsync(id, ct)));
        contacts.MapPatch("/{id:guid}", async (Guid id, ContactInput body, ContactService s, CancellationToken ct) => Of(await s.UpdateAsync(id, body, ct)));
        contacts.MapDelete("/{id:guid}", async (Guid id, ContactService s, CancellationToken ct) => { await s.DeleteAsync(id, ct); return Results.NoContent(); });

        var users = app.MapGroup("/v1/users").RequireTenant().WithTags("Users");
        users.MapGet("/", async (int? limit, string? after, UserService s, CancellationToken ct) => List(await s.ListAsync(PageRequest.Parse(limit, after), ct), u => u));
        users.MapPost("/", async (UserInput body, UserService s, CancellationToken ct) => { var u = await s.CreateAsync(body, ct); return Results.Created($"/v1/users/{u.Id}", u); });
        users.MapGet("/{id:guid}", async (Guid id, UserService s, CancellationToken ct) => await s.GetAsync(id, ct));
        users.MapPatch("/{id:guid}", async (Guid id, UserInput body, UserService s, CancellationToken ct) => await s.UpdateAsync(id, body, ct));
        users.MapDelete("/{id:guid}", async (Guid id, UserService s, CancellationToken ct) => { await s.DeleteAsync(id, ct); return Results.NoContent(); });

        var integrations = app.MapGroup("/v1/integrations").RequireTenant().WithTags("Integrations");
        integrations.MapGet("/", async (int? limit, string? after, IntegrationService s, CancellationToken ct) => List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of));
        integrations.MapPost("/", async (IntegrationInput body, IntegrationService s, CancellationToken ct) => { var i = await s.CreateAsync(body, ct); return Results.Created($"/v1/integrations/{i.Id}", Of(i)); });
        integrations.MapGet("/{id:guid}", async (Guid id, IntegrationService s, CancellationToken ct) => Of(await s.GetAsync(id, ct)));
        integrations.MapPatch("/{id:guid}", async (Guid id, IntegrationInput body, IntegrationService s, CancellationToken ct) => Of(await s.UpdateAsync(id, body, ct)));
        integrations.MapDelete("/{id:guid}", async (Guid id, IntegrationService s, CancellationToken ct) => { await s.DeleteAsync(id, ct); return Results.NoContent(); });

        var keys = app.MapGroup("/v1/api-keys").RequireTenant().WithTags("API keys");
        keys.MapGet("/", async (int? limit, string? after, ApiKeyService s, CancellationToken ct) => List(await s.ListAsync(PageRequest.Parse(limit, after), ct), Of));
        keys.MapPost("/", async (CreateApiKeyRequest body, ApiKeyService s, Parley.Domain.ITenantContext tenant, CancellationToken ct) =>
        {
            var created = await s.CreateAsync(tenant.Scope.RequireAccount(), body.Name, body.Scopes, ct);
            return Results.Created($"/v1/api-keys/{created.Key.Id}", new { apiKey = Of(created.Key), key = created.Secret });
        });
        keys.MapDelete("/{id:guid}", async (Guid id, ApiKeyService s, ApiKeyAuthenticator auth, CancellationToken ct) =>
        {
            var revoked = await s.RevokeAsync(id, ct);
            auth.Forget(revoked.Hash);
            return Results.NoContent();
        });
        return app;
    }

    private static ListResponse<TOut> List<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) => new(page.Items.Select(map).ToList(), page.Next);
}
