using Parley.Domain;
using Parley.Knowledge.Jobs;

namespace Parley.Server.Knowledge;

/// <summary>
/// <c>GET /v1/knowledge/jobs</c> and <c>/v1/knowledge/jobs/{id}</c>: background ingestions, their status and
/// progress.
/// </summary>
internal static class KnowledgeJobEndpoints
{
    public static RouteGroupBuilder MapKnowledgeJobEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/jobs", async (int? limit, string? after, IngestionJobStore jobs, ITenantContext tenant,
            CancellationToken ct) =>
        {
            var page = PageRequest.Parse(limit, after);
            var (items, next) = await jobs.ListAsync(tenant.Scope.RequireAccount(), page.Limit, page.After, ct);
            return TypedResults.Ok(new ListResponse<IngestionJob>(items, next));
        });
        group.MapGet("/jobs/{id:guid}", async (Guid id, IngestionJobStore jobs, ITenantContext tenant,
            CancellationToken ct) =>
            TypedResults.Ok(await jobs.GetAsync(tenant.Scope.RequireAccount(), id, ct)));
        return group;
    }
}
