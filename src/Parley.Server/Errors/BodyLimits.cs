namespace Parley.Server.Errors;

/// <summary>Per-endpoint request body limits, read by <see cref="BodyLimitMiddleware"/>.</summary>
internal static class BodyLimits
{
    /// <summary>This endpoint takes bodies of at most <paramref name="bytes"/>.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(bytes));

    /// <summary>
    /// Not <c>IRequestSizeLimitMetadata</c>: routing would apply that one itself and warn on every
    /// request to a server without the body-size feature (the test server); the middleware applies this.
    /// </summary>
    internal sealed record Limit(long Bytes);
}
