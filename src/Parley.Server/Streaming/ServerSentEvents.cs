namespace Parley.Server.Streaming;

/// <summary>
/// Server-sent events written on a response as they happen, for every streamed endpoint (the OpenAI
/// chat completions, streamed turns). Nothing is sent before the first event: until then a request that
/// fails still answers with a status and an error body of its own kind. Each event is flushed at once,
/// and proxies are asked not to buffer (<c>X-Accel-Buffering: no</c>). Data is one line: the callers
/// send serialized JSON, which holds no raw line break.
/// </summary>
internal static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    /// <summary>Whether the client asked for a stream (<c>Accept: text/event-stream</c>).</summary>
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(ContentType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sends the status and headers of a stream, once.</summary>
    public static async Task StartAsync(HttpResponse response, CancellationToken ct)
    {
        if (response.HasStarted)
        {
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(ct);
    }

    /// <summary>One event (<paramref name="name"/> null: a bare <c>data:</c> message), started if need be, flushed.</summary>
    public static async Task WriteAsync(HttpResponse response, string? name, string data, CancellationToken ct)
    {
        await StartAsync(response, ct);
        await response.WriteAsync(name is null ? $"data: {data}\n\n" : $"event: {name}\ndata: {data}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }
}
