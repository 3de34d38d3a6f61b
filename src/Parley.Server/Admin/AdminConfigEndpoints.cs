using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Knowledge;

namespace Parley.Server.Admin;

/// <summary>
/// <c>GET /v1/config</c>: the server settings a client draws against (the turn's stage budgets for the
/// admin page's waterfall, the largest top-k a search accepts), so no client hard-codes them.
/// </summary>
internal static class AdminConfigEndpoints
{
    public sealed record Budgets(int SearchMs, int LlmMs, int TtsMs, int TurnMs);
    public sealed record ConfigResponse(Budgets Budgets, int MaxTopK);

    public static IEndpointRouteBuilder MapAdminConfigEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/config", (IOptions<CallOptions> calls, IOptions<KnowledgeOptions> knowledge) =>
        {
            var c = calls.Value;
            return new ConfigResponse(new Budgets(c.SearchBudgetMs, c.LlmBudgetMs, c.TtsBudgetMs, c.TurnBudgetMs), knowledge.Value.MaxTopK);
        }).RequireAuthorization().WithTags("Admin");
        return app;
    }
}
