using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Data;
using Parley.Monitoring.Health;
using Parley.Transactional.Persistence;

namespace Parley.Server.Health;

internal static class HealthEndpoints
{
    /// <summary>What anonymous callers read when the database cannot be reached (the driver's error is the admin key's).</summary>
    public const string UnreachableReason = "The database is unreachable.";

    /// <param name="Reason">Why the server is unhealthy (then the answer is a 503), or null; in fixed words
    /// unless the admin key asks, so no exception text reaches an anonymous caller.</param>
    public sealed record HealthResponse(
        string Status, string Database, string? Pgvector, string EmbeddingModel, int Dimensions, int PendingMigrations,
        string? Reason);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> (
            DatabaseStatus status, VectorSchema schema, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct) =>
        {
            var report = await status.ReadAsync(ct);
            var reason = !report.Reachable ? (user.IsInRole("platform") ? report.Error ?? UnreachableReason : UnreachableReason)
                : report.PgvectorVersion is null ? "pgvector extension is not installed"
                : report.PendingMigrations > 0 ? $"{report.PendingMigrations} migrations not applied"
                : null;
            var body = new HealthResponse(reason is null ? "healthy" : "unhealthy",
                report.Reachable ? "reachable" : "unreachable", report.PgvectorVersion,
                schema.Model, schema.Dimensions, report.PendingMigrations, reason);
            return reason is null
                ? TypedResults.Ok(body)
                : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithName("Health").AllowAnonymous().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);

        // Probes for orchestrators: live = the process answers (no dependencies, so a database outage
        // does not get the server restarted); ready = database, pgvector, embedding model, call-log backlog.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }
}
