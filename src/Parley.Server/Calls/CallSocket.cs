using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.RateLimiting;
using Parley.Calls.Interim;
using Parley.Domain;
using Parley.Server.Input;
using static Parley.Server.Calls.CallSocketWire;
using static Parley.Server.Calls.TurnStreamWire;

namespace Parley.Server.Calls;

/// <summary>
/// One call's WebSocket, once upgraded (<see cref="CallStreamEndpoints"/>). Messages are read one after
/// another: an interim is offered to the same prefetch store as <c>POST /turns/interim</c> and answered at
/// once; a final runs a streamed turn through <see cref="TurnEventStream"/>, the very flow of the
/// server-sent turn, its events written here as messages, while the socket goes on reading (the caller's
/// next utterance's interims arrive while the answer is spoken). One final at a time: a final sent while one
/// runs is refused with a 409 error message rather than queued, because a recogniser's second final while
/// the answer still streams means the caller spoke again (barge-in), and an answer to the older question
/// delivered late is worse than none; it also keeps what a socket can hold to one turn. Each message runs in
/// a DI scope of its own, in the tenant of the upgrade (an interim and a final at once would share no
/// DbContext), and passes the key's rate limit as a request would. A bad message gets an error message and
/// the socket stays usable; one past <see cref="CallSocketWire.MaxMessageBytes"/> closes it with 1009. The
/// client going away cancels the running turn, as a dropped HTTP request does; what it logged stays logged.
/// </summary>
internal sealed partial class CallSocket(
    WebSocket socket, HttpContext http, Guid callId, bool speak, TenantScope tenant, IServiceScopeFactory scopes,
    JsonSerializerOptions json, PartitionedRateLimiter<HttpContext>? limiter, TimeProvider time, ILogger<CallSocket> logger) : IDisposable
{
    // WebSocket allows one send at a time: the running final's events and the reader's answers take turns.
    private readonly SemaphoreSlim _send = new(1, 1);
    private Task _final = Task.CompletedTask;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var life = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var buffer = new byte[MaxMessageBytes];
        try
        {
            while (true)
            {
                var (type, length) = await ReceiveAsync(buffer, life.Token);
                if (type == WebSocketMessageType.Close)
                {
                    await StopFinalAsync(life);
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, null);
                    return;
                }
                if (length > MaxMessageBytes)
                {
                    await StopFinalAsync(life);
                    await SendAsync(ErrorEvent, new ErrorData(StatusCodes.Status413PayloadTooLarge, "Message too large",
                        $"A message is at most {MaxMessageBytes} bytes; this socket is closed."), CancellationToken.None);
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxMessageBytes} bytes");
                    return;
                }
                if (type == WebSocketMessageType.Binary)
                {
                    await RefuseAsync(new InvalidRequestException("type", "Send JSON text messages, not binary ones."), life.Token);
                    continue;
                }
                await HandleAsync(buffer.AsMemory(0, length), life.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away without closing (or the server is stopping): nobody to tell.
            LogGone(logger, callId);
        }
        finally
        {
            await StopFinalAsync(life);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        // What ControlCharacterGuard does for every HTTP body: a message skips the middleware.
        var scanner = new JsonControlScanner();
        scanner.Scan(message.Span, isFinalBlock: true);
        if (scanner.Field is { } field)
        {
            await RefuseAsync(new InvalidRequestException(field,
                $"{field} holds the control character U+{scanner.CodePoint:X4}; text may hold tab, line feed and carriage return, no other control character."), ct);
            return;
        }
        Incoming? incoming;
        try
        {
            incoming = JsonSerializer.Deserialize<Incoming>(message.Span, json);
        }
        catch (JsonException e)
        {
            await RefuseAsync(new InvalidRequestException("message", $"A message is a JSON object {{\"type\", \"text\"}}: {e.Message}"), ct);
            return;
        }
        if (incoming?.Type is not (InterimType or FinalType))
        {
            await RefuseAsync(new InvalidRequestException("type", $"type must be \"{InterimType}\" or \"{FinalType}\"."), ct);
            return;
        }
        if (limiter is not null)
        {
            using var lease = limiter.AttemptAcquire(http);
            if (!lease.IsAcquired)
            {
                await SendAsync(ErrorEvent, new ErrorData(StatusCodes.Status429TooManyRequests, "Too many requests",
                    "This API key, or its account, is over its request rate; this message was dropped."), ct);
                return;
            }
        }
        if (incoming.Type == InterimType)
        {
            await OfferAsync(incoming.Text, ct);
        }
        else if (!_final.IsCompleted)
        {
            await RefuseAsync(new ConflictException("A final is being answered: send the next one after its done (or error) message."), ct);
        }
        else
        {
            var text = incoming.Text;
            var spoken = incoming.Speak ?? speak;
            _final = Task.Run(() => FinalAsync(text, spoken, ct), CancellationToken.None);
        }
    }

    private async Task OfferAsync(string? text, CancellationToken ct)
    {
        InterimOutcome outcome;
        try
        {
            await using var scope = Scope();
            outcome = await scope.ServiceProvider.GetRequiredService<InterimTranscripts>().OfferAsync(callId, text, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RefuseAsync(e, ct);
            return;
        }
        await SendAsync(InterimType, new InterimEndpoints.InterimResponse(outcome.Started, outcome.Reason), ct);
    }

    private async Task FinalAsync(string? text, bool spoken, CancellationToken ct)
    {
        try
        {
            await using var scope = Scope();
            var turn = scope.ServiceProvider.GetRequiredService<TurnEventStream>();
            // Always started: every failure of the turn, bad input included, is told as an error message.
            await turn.RunAsync(callId, text, null, spoken, SendAsync, () => true, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested || e is WebSocketException)
        {
            // The socket is closing or gone: the turn was cancelled as a dropped request's is.
        }
        catch (Exception e)
        {
            LogFinalFailed(logger, callId, e);
            await SendAsync(ErrorEvent, ErrorOf(e), CancellationToken.None);
        }
    }

    private AsyncServiceScope Scope()
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = tenant;
        return scope;
    }

    private Task RefuseAsync(Exception e, CancellationToken ct)
    {
        var error = ErrorOf(e);
        if (error.Status >= StatusCodes.Status500InternalServerError)
        {
            LogMessageFailed(logger, callId, e);
        }
        return SendAsync(ErrorEvent, error, ct);
    }

    private async Task SendAsync(string type, object data, CancellationToken ct)
    {
        var bytes = Message(type, data, json);
        await _send.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task StopFinalAsync(CancellationTokenSource life)
    {
        if (!_final.IsCompleted)
        {
            await life.CancelAsync();
        }
        // FinalAsync catches everything it throws.
        await _final;
    }

    public void Dispose() => _send.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "The WebSocket of call {CallId} was dropped by its client")]
    private static partial void LogGone(ILogger logger, Guid callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message on the WebSocket of call {CallId} failed; the socket stays open")]
    private static partial void LogMessageFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A final on the WebSocket of call {CallId} failed outside its turn")]
    private static partial void LogFinalFailed(ILogger logger, Guid callId, Exception exception);
}
