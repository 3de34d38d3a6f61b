using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Domain;
using Parley.Knowledge;
using Parley.Server.Errors;

namespace Parley.Server.Admin;

/// <summary>
/// <c>GET /v1/config</c>: the server settings a client draws against (the turn's stage budgets for the
/// admin page's waterfall, the largest top-k a search accepts), so no client hard-codes them; and
/// <c>GET /v1/me</c>: whom the key speaks for (the platform, or one account), so the page knows what to offer.
/// </summary>
internal static class AdminConfigEndpoints
{
    /// <param name="RewriteMs">The LLM rewrite's budget; null when follow-ups are rewritten by the local rule alone (no budget).</param>
    public sealed record Budgets(int SearchMs, int LlmMs, int TtsMs, int TurnMs,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RewriteMs);
    public sealed record ConfigResponse(Budgets Budgets, int MaxTopK);
    public sealed record MeResponse(string Role, Guid? AccountId);

    public static IEndpointRouteBuilder MapAdminConfigEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/config", (IOptions<CallOptions> calls, IOptions<KnowledgeOptions> knowledge) =>
        {
            var c = calls.Value;
            var budgets = new Budgets(c.SearchBudgetMs, c.LlmBudgetMs, c.TtsBudgetMs, c.TurnBudgetMs,
                c.LlmRewrite && c.RewriteFollowUps ? c.RewriteBudgetMs : null);
            return TypedResults.Ok(new ConfigResponse(budgets, knowledge.Value.MaxTopK));
        }).RequireAuthorization().WithKeyProblems().WithTags("Admin");
        app.MapGet("/v1/me", (ClaimsPrincipal user, ITenantContext tenant) =>
            TypedResults.Ok(new MeResponse(user.IsInRole("platform") ? "platform" : "account",
                tenant.Scope.Account?.Value)))
            .RequireAuthorization().WithKeyProblems().WithTags("Admin");
        return app;
    }
}
