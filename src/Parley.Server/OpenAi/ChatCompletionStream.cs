using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;
using Parley.Server.Streaming;
using static Parley.Server.OpenAi.ChatCompletionWire;

namespace Parley.Server.OpenAi;

/// <summary>
/// <c>stream: true</c>: the turn's answer as server-sent events, <c>data: {chat.completion.chunk}</c> per
/// piece as the answer stage produces it, then a last chunk with <c>finish_reason</c> (and Parley's
/// account of the turn), then <c>data: [DONE]</c>. Nothing is sent before the first piece exists, so a
/// turn that fails at its start (an ended call, an unknown one) still answers with a status and an
/// OpenAI error; one that fails later ends its stream with an <c>error</c> event.
/// </summary>
internal sealed class ChatCompletionStream(CallOrchestrator orchestrator, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public async Task WriteAsync(HttpContext http, string id, long created, string model, Guid callId, string question, CancellationToken ct)
    {
        var deltas = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var turn = orchestrator.TakeStreamedTurnAsync(callId, question, deltas.Writer, ct);
        // Pieces a stage cut off at its budget still writes are refused once the turn is over.
        _ = turn.ContinueWith(_ => deltas.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var streamed = new StringBuilder();
        await foreach (var delta in deltas.Reader.ReadAllAsync(ct))
        {
            await StartAsync(http, id, created, model, ct);
            streamed.Append(delta);
            await ChunkAsync(http, new Chunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new Delta(null, delta), null)]), ct);
        }
        var result = await StreamedTurnEnd.AwaitAsync(turn, () => http.Response.HasStarted, e =>
            SendAsync(http, JsonSerializer.Serialize(OpenAiError.For(e) is null
                ? new OpenAiError(new OpenAiError.Detail("The turn failed.", "server_error", null, null))
                : new OpenAiError(new OpenAiError.Detail(e.Message, "invalid_request_error", null, null)), _json), ct));
        if (result is null)
        {
            return;
        }
        await StartAsync(http, id, created, model, ct);
        foreach (var piece in ExtractiveAnswerGenerator.WordPieces(StreamedAnswer.Remainder(streamed.ToString(), result.Answer)))
        {
            await ChunkAsync(http, new Chunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new Delta(null, piece), null)]), ct);
        }
        await ChunkAsync(http, new Chunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new Delta(null, null), "stop")],
            OpenAiEndpoints.Describe(callId, result)), ct);
        await SendAsync(http, "[DONE]", ct);
    }

    private async Task StartAsync(HttpContext http, string id, long created, string model, CancellationToken ct)
    {
        if (http.Response.HasStarted)
        {
            return;
        }
        await ServerSentEvents.StartAsync(http.Response, ct);
        await ChunkAsync(http, new Chunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new Delta("assistant", ""), null)]), ct);
    }

    private Task ChunkAsync(HttpContext http, Chunk chunk, CancellationToken ct) => SendAsync(http, JsonSerializer.Serialize(chunk, _json), ct);

    private static Task SendAsync(HttpContext http, string data, CancellationToken ct) => ServerSentEvents.WriteAsync(http.Response, null, data, ct);
}
