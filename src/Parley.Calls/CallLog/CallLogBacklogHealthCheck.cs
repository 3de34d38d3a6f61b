using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Parley.Calls.CallLog;

/// <summary>
/// The call-log writer keeps up: degraded past half its bound (the database is slow or away, records
/// are held), unhealthy past 90 % (new turns are about to be dropped), so a balancer sends calls elsewhere.
/// </summary>
internal sealed class CallLogBacklogHealthCheck(CallLogWriter writer, IOptions<CallOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = writer.Backlog;
        var bound = options.Value.CallLogCapacity;
        var data = new Dictionary<string, object> { ["backlog"] = backlog, ["bound"] = bound };
        var description = $"{backlog} of {bound} records waiting";
        return Task.FromResult(backlog >= bound * 0.9 ? HealthCheckResult.Unhealthy(description, data: data)
            : backlog >= bound * 0.5 ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
