using Microsoft.AspNetCore.Http.Features;

namespace Parley.Server.Errors;

/// <summary>
/// A request body limit for every endpoint: <see cref="DefaultBytes"/> unless the endpoint names its
/// own (<see cref="BodyLimits.WithBodyLimit{TBuilder}"/>). A declared length over the limit is refused
/// before anything is read; a chunked body is cut off by the server when it passes the limit. Either
/// way the answer is a 413 problem that names the limit (<c>limitBytes</c>), so nothing parses, buffers
/// or stores a body larger than what its endpoint can use.
/// </summary>
internal sealed class BodyLimitMiddleware(RequestDelegate next)
{
    /// <summary>JSON bodies of the CRUD endpoints: an agent's 20 000-character prompt fits, escaped.</summary>
    public const long DefaultBytes = 256 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var limit = LimitOf(context);
        if (context.Request.ContentLength is { } length && length > limit)
        {
            return TooLarge(context, length).ExecuteAsync(context);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        return next(context);
    }

    public static long LimitOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<BodyLimits.Limit>()?.Bytes ?? DefaultBytes;

    /// <summary>The 413 answer, naming the limit of this endpoint (and the declared length, when known).</summary>
    public static IResult TooLarge(HttpContext context, long? length)
    {
        var limit = LimitOf(context);
        var has = length is { } l ? $"; this one has {l}" : "";
        return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"{context.Request.Method} {context.Request.Path} takes a body of at most {limit} bytes{has}.",
            extensions: new Dictionary<string, object?> { ["limitBytes"] = limit });
    }
}
