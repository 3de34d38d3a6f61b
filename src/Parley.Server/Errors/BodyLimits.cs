using Microsoft.AspNetCore.Http.Metadata;

namespace Parley.Server.Errors;

/// <summary>Per-endpoint request body limits, read by <see cref="BodyLimitMiddleware"/>.</summary>
internal static class BodyLimits
{
    /// <summary>This endpoint takes bodies of at most <paramref name="bytes"/>.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(bytes));

    private sealed record Limit(long Bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => Bytes;
    }
}
