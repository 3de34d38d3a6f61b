using Parley.Domain;
using Parley.Server.Auth;
using Parley.Transactional.Accounts;
using static Parley.Server.Transactional.Responses;

namespace Parley.Server.Transactional;

internal static class AccountEndpoints
{
    public sealed record CreateAccountRequest(string? Name, string? Language, string? Plan);

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/accounts").RequireAuthorization().WithTags("Accounts");
        group.MapPost("/", async (CreateAccountRequest body, AccountService accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateAsync(body.Name, body.Language, body.Plan, ct);
            return Results.Created($"/v1/accounts/{created.Account.Id}", new { account = Of(created.Account), apiKey = created.ApiKey });
        }).RequireAuthorization(AuthHostingExtensions.AdminPolicy);
        group.MapGet("/", async (AccountService accounts, CancellationToken ct) =>
            new ListResponse<AccountResponse>((await accounts.ListAsync(ct)).Select(Of).ToList(), null));
        group.MapGet("/{id:guid}", async (Guid id, AccountService accounts, CancellationToken ct) =>
            Of(await accounts.GetAsync(new AccountId(id), ct)));
        group.MapPatch("/{id:guid}", async (Guid id, CreateAccountRequest body, AccountService accounts, CancellationToken ct) =>
            Of(await accounts.UpdateAsync(new AccountId(id), body.Name, body.Plan, body.Language, ct)))
            .RequireAuthorization(AuthHostingExtensions.AdminPolicy);
        return app;
    }
}
