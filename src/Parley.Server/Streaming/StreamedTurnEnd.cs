using Parley.Calls.Pipeline;

namespace Parley.Server.Streaming;

/// <summary>
/// How every streamed turn ends (server-sent turns, the OpenAI chat completions, the call's WebSocket):
/// its result, or its failure told in the stream's own terms. A failure before anything was sent still
/// propagates, to be answered with a status and an error body; so does a cancellation, which is the
/// client gone (or the server stopping), with nobody left to tell.
/// </summary>
internal static class StreamedTurnEnd
{
    /// <summary>The turn's result; null when it failed after <paramref name="started"/> and <paramref name="failed"/> told the client.</summary>
    public static async Task<TurnResult?> AwaitAsync(Task<TurnResult> turn, Func<bool> started, Func<Exception, Task> failed)
    {
        try
        {
            return await turn;
        }
        catch (Exception e) when (!started() || e is OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            await failed(e);
            return null;
        }
    }
}
