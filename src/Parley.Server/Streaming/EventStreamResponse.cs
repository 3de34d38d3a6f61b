using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Server.Streaming;

/// <summary>
/// Marks an endpoint whose 200 is also a <c>text/event-stream</c> whose events' data are the
/// <see cref="Events"/> (one of them each). Minimal APIs keep one response type per status code (the
/// last <c>Produces</c> wins), so the JSON answer is declared as usual and this adds the stream beside it
/// in the OpenAPI document.
/// </summary>
internal sealed record EventStreamResponse(params Type[] Events)
{
    public const string ContentType = ServerSentEvents.ContentType;

    /// <summary>Adds the event stream to every marked operation's 200.</summary>
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var marker = context.Description.ActionDescriptor.EndpointMetadata.OfType<EventStreamResponse>().FirstOrDefault();
        if (marker is null || operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse response)
        {
            return;
        }
        var schemas = new List<IOpenApiSchema>();
        foreach (var type in marker.Events)
        {
            schemas.Add(await context.GetOrCreateSchemaAsync(type, null, ct));
        }
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        response.Content[ContentType] = new OpenApiMediaType { Schema = schemas.Count == 1 ? schemas[0] : new OpenApiSchema { OneOf = schemas } };
    }
}
