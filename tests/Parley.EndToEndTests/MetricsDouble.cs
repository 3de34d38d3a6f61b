using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Parley.EndToEndTests;

/// <summary>
/// Answers the metrics contract (<c>/v1/metrics/series</c>, <c>/v1/metrics/rag</c>, <c>/v1/alerts</c>) for
/// chosen accounts only, so the page's charts and its empty state are tested whatever this build's
/// monitoring holds: <see cref="DataFor"/> gets fixed, contract-shaped figures (with quiet minutes left
/// out, as the real series does), <see cref="MissingFor"/> a 404; every other request goes to the real server.
/// </summary>
public sealed class MetricsDouble : IStartupFilter
{
    public Guid? DataFor { get; set; }
    public Guid? MissingFor { get; set; }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var path = context.Request.Path.Value ?? "";
            var account = Guid.TryParse(context.Request.Headers["X-Parley-Account"].ToString(), out var g) ? g : (Guid?)null;
            if (account is null || !(path.StartsWith("/v1/metrics/", StringComparison.Ordinal) || path == "/v1/alerts"))
            {
                await nextMiddleware(context);
                return;
            }
            if (account == MissingFor)
            {
                context.Response.StatusCode = 404;
                return;
            }
            if (account != DataFor)
            {
                await nextMiddleware(context);
                return;
            }
            object body = path switch
            {
                "/v1/metrics/series" => Series(),
                "/v1/metrics/rag" => new { averageSearchMs = 12.4, p50SearchMs = 9.8, p95SearchMs = 41.5, p99SearchMs = 88.2, cacheHitRate = 0.62, averageEmbeddingMs = 6.1, totalSearches = 1234 },
                "/v1/alerts" => new
                {
                    items = new object[]
                    {
                        new { id = Guid.NewGuid(), type = "HIGH_LATENCY", severity = "WARNING", message = "p95 search time 241 ms passed 200 ms", accountId = account, raisedAt = DateTimeOffset.UtcNow.AddMinutes(-4), resolvedAt = (DateTimeOffset?)null },
                        new { id = Guid.NewGuid(), type = "HIGH_LATENCY", severity = "WARNING", message = "p95 search time 212 ms passed 200 ms", accountId = account, raisedAt = DateTimeOffset.UtcNow.AddHours(-3), resolvedAt = (DateTimeOffset?)DateTimeOffset.UtcNow.AddHours(-2.5) },
                    },
                },
                _ => new { },
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
        });
        next(app);
    };

    /// <summary>The last hour by minute; minutes 20–29 and every seventh minute had no traffic and are left out.</summary>
    private static object Series()
    {
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-59);
        var points = Enumerable.Range(0, 60).Where(i => i % 7 != 3 && i is < 20 or >= 30).Select(i =>
        {
            var wave = Math.Sin(i / 6.0);
            return new
            {
                at = start.AddMinutes(i).ToString("O", CultureInfo.InvariantCulture),
                searches = 12 + (int)(10 * wave),
                p50SearchMs = 9 + 3 * wave,
                p95SearchMs = 30 + 20 * Math.Abs(wave) + (i == 45 ? 90 : 0),
                cacheHitRate = 0.5 + 0.3 * wave,
                turns = 4,
                avgTurnMs = 150 + 40 * wave,
                avgEmbedMs = 6.0,
                avgSearchMs = 10 + 3 * wave,
                avgLlmMs = 60 + 25 * wave,
                avgTtsMs = 70 + 10 * wave,
            };
        }).ToList();
        return new { step = "1m", points };
    }
}
