using System.Net.WebSockets;

namespace Parley.Server.Calls;

/// <summary>The socket's frames: a message read whole (or found too big), and the closing handshake.</summary>
internal sealed partial class CallSocket
{
    /// <summary>How long a socket closed for an oversize message waits for the client's close before it is dropped.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    /// <summary>One message, whole; a length past the buffer means it was too big (the rest is left unread).</summary>
    private async Task<(WebSocketMessageType Type, int Length)> ReceiveAsync(byte[] buffer, CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }
            length += received.Count;
            if (received.EndOfMessage)
            {
                return (received.MessageType, length);
            }
            if (length == buffer.Length)
            {
                return (received.MessageType, buffer.Length + 1);
            }
        }
    }

    /// <summary>Sends our close and waits a little for the client's (reading what it still sends), so the client sees the status.</summary>
    private async Task CloseAsync(WebSocketCloseStatus status, string? reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var wait = new CancellationTokenSource(CloseWait, time);
        try
        {
            await socket.CloseOutputAsync(status, reason, wait.Token);
            var drain = new byte[4096];
            while (socket.State == WebSocketState.CloseSent && (await socket.ReceiveAsync(drain.AsMemory(), wait.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client did not answer the close in time, or dropped the connection: it is gone either way.
        }
    }
}
