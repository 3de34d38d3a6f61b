using Parley.Domain;
using Parley.Server.Auth;
using Parley.Transactional.ApiKeys;
using Parley.Server.Errors;
using Parley.Transactional.Accounts;
using static Parley.Server.Transactional.Responses;

namespace Parley.Server.Transactional;

internal static class AccountEndpoints
{
    public sealed record CreateAccountRequest(string? Name, string? Language, string? Plan);

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/accounts").RequireAuthorization().RequireScope(ApiKeyScopes.Account).WithKeyProblems().WithCrudProblems().WithTags("Accounts");
        group.MapPost("/", async (CreateAccountRequest request, AccountService accounts, CancellationToken ct) =>
        {
            var created = await accounts.CreateAsync(request.Name, request.Language, request.Plan, ct);
            var body = new CreatedAccountResponse(Of(created.Account), created.ApiKey);
            return TypedResults.Created($"/v1/accounts/{created.Account.Id}", body);
        }).RequireAuthorization(AuthHostingExtensions.AdminPolicy);
        group.MapGet("/", async (AccountService accounts, CancellationToken ct) =>
            TypedResults.Ok(new ListResponse<AccountResponse>([.. (await accounts.ListAsync(ct)).Select(Of)], null)));
        group.MapGet("/{id:guid}", async (Guid id, AccountService accounts, CancellationToken ct) =>
            TypedResults.Ok(Of(await accounts.GetAsync(new AccountId(id), ct))));
        group.MapPatch("/{id:guid}", async (Guid id, CreateAccountRequest body, AccountService accounts,
            CancellationToken ct) =>
            TypedResults.Ok(Of(await accounts.UpdateAsync(new AccountId(id), body.Name, body.Plan, body.Language, ct))))
            .RequireAuthorization(AuthHostingExtensions.AdminPolicy);
        return app;
    }
}
