using Microsoft.Extensions.Diagnostics.HealthChecks;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Health;

/// <summary>The database answers and every migration is applied (the same reading as <c>GET /health</c>).</summary>
internal sealed class DatabaseHealthCheck(DatabaseReading status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await status.ReadAsync(cancellationToken);
        var data = new Dictionary<string, object> { ["pendingMigrations"] = report.PendingMigrations };
        return !report.Reachable ? HealthCheckResult.Unhealthy($"unreachable: {report.Error}", data: data)
            : report.PendingMigrations > 0 ? HealthCheckResult.Unhealthy($"{report.PendingMigrations} migrations not applied", data: data)
            : HealthCheckResult.Healthy("reachable", data);
    }
}
