using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Parley.Server.Auth;

namespace Parley.Server.Limits;

/// <summary>
/// ASP.NET Core's rate limiter, run after authentication so the partitions are the caller's key and
/// account (claims the key handler sets): two chained token buckets, the key's and its account's. A
/// request over either is answered 429 with <c>Retry-After</c> and a problem body before any handler
/// runs. Requests without a tenant key (anonymous, refused keys, the admin key) pass: a refused key
/// costs no database query (ApiKeyAuthenticator), so it needs no bucket to be cheap.
/// </summary>
internal static class RateLimits
{
    public const string ProblemType = "https://parley.dev/problems/rate-limited";

    public static WebApplicationBuilder AddParleyRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, settings) =>
        {
            var s = settings.Value;
            if (!s.Enabled)
            {
                return;
            }
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Partitioned(AuthClaim.Key, s.KeyPermitsPerSecond, s.KeyBurst),
                Partitioned(AuthClaim.Account, s.AccountPermitsPerSecond, s.AccountBurst));
            o.OnRejected = RejectAsync;
        });
        return builder;
    }

    private enum AuthClaim
    {
        Key,
        Account,
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(AuthClaim claim, double perSecond, int burst) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var value = http.User.FindFirstValue(claim == AuthClaim.Key ? ApiKeyAuthenticationHandler.KeyClaim : ApiKeyAuthenticationHandler.AccountClaim);
            return value is null
                ? RateLimitPartition.GetNoLimiter("")
                : RateLimitPartition.GetTokenBucketLimiter(value, _ => Bucket(perSecond, burst));
        });

    /// <summary>Refilled in tenths of a second when the rate allows it, so a bucket never refills in one lump.</summary>
    private static TokenBucketRateLimiterOptions Bucket(double perSecond, int burst)
    {
        var tokens = perSecond >= 10 ? (int)Math.Round(perSecond / 10) : 1;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / perSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: ProblemType,
            detail: $"This API key, or its account, is over its request rate; try again in {seconds} s.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }).ExecuteAsync(http);
    }
}
