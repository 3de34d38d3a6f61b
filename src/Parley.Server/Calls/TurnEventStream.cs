using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Calls.Pipeline;
using Parley.Server.Streaming;
using static Parley.Server.Calls.TurnStreamWire;

namespace Parley.Server.Calls;

/// <summary>
/// A turn told as server-sent events while it happens (<see cref="CallOrchestrator.StreamTurnAsync"/>):
/// each event is written the moment the pipeline publishes it. Nothing is sent before the first event,
/// which comes after the turn's checks, so bad input, an unknown call or an ended one still answer with a
/// status and a problem detail; a failure after that ends the stream with an <c>error</c> event.
/// </summary>
internal sealed partial class TurnEventStream(
    CallOrchestrator orchestrator, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<TurnEventStream> logger)
{
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public async Task WriteAsync(HttpContext http, Guid callId, string? transcript, ReadOnlyMemory<byte>? wav, bool speak, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true });
        var turn = orchestrator.StreamTurnAsync(callId, transcript, wav, speak, events.Writer, ct);
        // Speech or pieces of a stage cut off at its budget that still arrive are refused once the turn is over.
        _ = turn.ContinueWith(_ => events.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        await foreach (var e in events.Reader.ReadAllAsync(ct))
        {
            var (name, data) = Of(e);
            await ServerSentEvents.WriteAsync(http.Response, name, JsonSerializer.Serialize(data, data.GetType(), _json), ct);
        }
        TurnResult result;
        try
        {
            result = await turn;
        }
        catch (Exception e) when (!http.Response.HasStarted || e is OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            LogFailed(logger, callId, e);
            var error = Errors.ProblemExceptionHandler.IsDatabaseUnavailable(e)
                ? new ErrorData(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is unavailable right now; try again shortly.")
                : new ErrorData(StatusCodes.Status500InternalServerError, "The turn failed", "The turn failed after it had started streaming.");
            await ServerSentEvents.WriteAsync(http.Response, ErrorEvent, JsonSerializer.Serialize(error, _json), ct);
            return;
        }
        await ServerSentEvents.WriteAsync(http.Response, DoneEvent, JsonSerializer.Serialize(TurnEndpoints.Describe(result, withAudio: false), _json), ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A streamed turn of call {CallId} failed after its stream started")]
    private static partial void LogFailed(ILogger logger, Guid callId, Exception exception);
}
