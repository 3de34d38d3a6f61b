using Microsoft.Extensions.Diagnostics.HealthChecks;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Health;

/// <summary>The <c>vector</c> extension is installed, at the version Parley needs.</summary>
internal sealed class PgvectorHealthCheck(DatabaseReading status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await status.ReadAsync(cancellationToken);
        if (report.PgvectorVersion is not { } version)
        {
            return HealthCheckResult.Unhealthy(report.Reachable ? "pgvector extension is not installed" : "database unreachable");
        }
        return DatabaseMigrator.ParseVersion(version) >= DatabaseMigrator.MinimumPgvector
            ? HealthCheckResult.Healthy(version)
            : HealthCheckResult.Unhealthy($"pgvector {version} is older than {DatabaseMigrator.MinimumPgvector}");
    }
}
