using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Domain;
using Parley.Server.Calls;
using Parley.Monitoring.Alerts;
using Parley.Monitoring.Performance;
using Parley.Server.Auth;
using Parley.Transactional.ApiKeys;
using Parley.Server.Errors;

namespace Parley.Server.Monitoring;

/// <summary>
/// The design's PerformanceService and alerts over HTTP, and the Prometheus scrape. <c>/metrics</c> is
/// private (<see cref="MetricsGate"/>): the scrape token, the admin key, or the metrics port.
/// </summary>
internal static class MonitoringEndpoints
{
    public static IEndpointRouteBuilder MapMonitoringEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint().AllowAnonymous();

        var metrics = app.MapGroup("/v1/metrics").WithTags("Monitoring");
        var tenant = metrics.MapGroup("").RequireTenant().RequireScope(ApiKeyScopes.Metrics).WithCrudProblems();
        tenant.MapGet("/rag", async (string? window, PerformanceService performance, ITenantContext context,
            CancellationToken ct) =>
            TypedResults.Ok(await performance.RagAsync(context.Scope.RequireAccount(), window, ct)));
        tenant.MapGet("/series", async (string? window, string? step, PerformanceService performance,
            ITenantContext context, CancellationToken ct) =>
            TypedResults.Ok(await performance.SeriesAsync(context.Scope.RequireAccount(), window, step, ct)));
        metrics.MapGet("/node", (CallAdmission admission, IOptions<CallOptions> options) =>
        {
            var (p90, samples) = admission.ModelQueueWaitP90;
            return TypedResults.Ok(new NodeMetrics(admission.ActiveCalls, options.Value.MaxActiveCalls, admission.RefusedCalls,
                Math.Round(p90, 2), samples, options.Value.MaxModelQueueWaitMs));
        }).RequireAuthorization(AuthHostingExtensions.AdminPolicy).WithKeyProblems();
        metrics.MapGet("/database", async (int? top, DatabaseMetricsService database, CancellationToken ct) =>
            TypedResults.Ok(await database.ReadAsync(top, ct)))
            .RequireAuthorization(AuthHostingExtensions.AdminPolicy).WithKeyProblems().ProducesValidationProblem();

        // A tenant key lists its account's alerts; the admin key every account's (or one's, with X-Parley-Account).
        app.MapGet("/v1/alerts", async (bool? open, int? limit, AlertStore alerts, ITenantContext context,
            CancellationToken ct) =>
            TypedResults.Ok(new ItemsResponse<Alert>(await alerts.ListAsync(context.Scope, open, limit, ct))))
            .RequireAuthorization().RequireScope(ApiKeyScopes.Metrics).WithKeyProblems().ProducesValidationProblem().WithTags("Monitoring");
        return app;
    }
}
