using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Parley.Monitoring;

namespace Parley.Server.Monitoring;

/// <summary>
/// <c>/metrics</c> is private by default: it answers the admin key, the scrape token
/// (<c>Parley:Monitor:MetricsToken</c>, as <c>Authorization: Bearer</c>), or anyone on the metrics
/// port (<c>Parley:Monitor:MetricsPort</c>, a listener of its own for a private network), and 401
/// otherwise. The metrics port answers nothing but <c>/metrics</c>, so the API is not reachable there.
/// </summary>
internal sealed class MetricsGate(RequestDelegate next, IOptions<MonitorOptions> options)
{
    public const string Path = "/metrics";

    public async Task InvokeAsync(HttpContext context)
    {
        var o = options.Value;
        var onMetricsPort = o.MetricsPort is { } port && context.Connection.LocalPort == port;
        var scrape = context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase);
        if (onMetricsPort && !scrape)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!scrape || onMetricsPort || context.User.IsInRole("platform") || HasToken(context, o.MetricsToken))
        {
            await next(context);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "Scrape /metrics with 'Authorization: Bearer <Parley:Monitor:MetricsToken>' (or the admin key), or on Parley:Monitor:MetricsPort.")
            .ExecuteAsync(context);
    }

    private static bool HasToken(HttpContext context, string? token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return !string.IsNullOrEmpty(token) && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
