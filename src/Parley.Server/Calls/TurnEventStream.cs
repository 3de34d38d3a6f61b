using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Calls.Pipeline;
using Parley.Server.Streaming;
using static Parley.Server.Calls.TurnStreamWire;

namespace Parley.Server.Calls;

/// <summary>
/// A turn told as events while it happens (<see cref="CallOrchestrator.StreamTurnAsync"/>): each event is
/// sent the moment the pipeline publishes it, then <c>done</c> or <c>error</c>. One flow for both wires:
/// server-sent events (<see cref="WriteAsync"/>) and the call's WebSocket (<see cref="CallSocket"/>), which
/// differ only in how an event is written. On server-sent events nothing is sent before the first event,
/// which comes after the turn's checks, so bad input, an unknown call or an ended one still answer with a
/// status and a problem detail; a failure after that ends the stream with an <c>error</c> event.
/// </summary>
internal sealed partial class TurnEventStream(
    CallOrchestrator orchestrator, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<TurnEventStream> logger)
{
    /// <summary>Writes one event: its name and its data (one of <see cref="TurnStreamWire"/>'s records, or the turn's answer for <c>done</c>).</summary>
    public delegate Task EventWriter(string name, object data, CancellationToken cancellationToken);

    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    /// <summary>The turn as server-sent events on the response.</summary>
    public Task WriteAsync(HttpContext http, Guid callId, string? transcript, ReadOnlyMemory<byte>? wav, bool speak, CancellationToken ct) =>
        RunAsync(callId, transcript, wav, speak,
            (name, data, token) => ServerSentEvents.WriteAsync(http.Response, name, JsonSerializer.Serialize(data, data.GetType(), _json), token),
            () => http.Response.HasStarted, ct);

    /// <summary>
    /// Runs the turn, handing each event to <paramref name="write"/>, then <c>done</c>; a failure once
    /// <paramref name="started"/> is an <c>error</c> event. The result, or null when the turn failed so.
    /// </summary>
    public async Task<TurnResult?> RunAsync(
        Guid callId, string? transcript, ReadOnlyMemory<byte>? wav, bool speak, EventWriter write, Func<bool> started, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true });
        var turn = orchestrator.StreamTurnAsync(callId, transcript, wav, speak, events.Writer, ct);
        // Speech or pieces of a stage cut off at its budget that still arrive are refused once the turn is over.
        _ = turn.ContinueWith(_ => events.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        await foreach (var e in events.Reader.ReadAllAsync(ct))
        {
            var (name, data) = Of(e);
            await write(name, data, ct);
        }
        var result = await StreamedTurnEnd.AwaitAsync(turn, started, e =>
        {
            var error = ErrorOf(e);
            if (error.Status >= StatusCodes.Status500InternalServerError)
            {
                LogFailed(logger, callId, e);
            }
            return write(ErrorEvent, error, ct);
        });
        if (result is not null)
        {
            await write(DoneEvent, TurnEndpoints.Describe(result, withAudio: false), ct);
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A streamed turn of call {CallId} failed after its stream started")]
    private static partial void LogFailed(ILogger logger, Guid callId, Exception exception);
}
