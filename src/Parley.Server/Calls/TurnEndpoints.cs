using Parley.Calls.Audio;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Server.Auth;
using Parley.Server.Errors;

namespace Parley.Server.Calls;

/// <summary>
/// <c>POST /v1/calls/{id}/turns</c>: one phone turn through the orchestrator, from JSON
/// <c>{transcript}</c> or a multipart form with an <c>audio</c> WAV file (speech recognition first).
/// </summary>
internal static class TurnEndpoints
{
    public sealed record TurnRequest(string? Transcript);

    public static IEndpointRouteBuilder MapTurnEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/calls").RequireTenant().WithTags("Calls");
        group.MapPost("/{id:guid}/turns", async (Guid id, HttpRequest http, bool? speak, CallOrchestrator orchestrator, CancellationToken ct) =>
        {
            string? transcript;
            if (http.HasFormContentType)
            {
                var form = await http.ReadFormAsync(ct);
                if (form.Files["audio"] is { } audio)
                {
                    if (audio.Length > WavAudio.MaxBytes)
                    {
                        throw new InvalidRequestException("audio", $"The audio is larger than {WavAudio.MaxBytes / (1024 * 1024)} MB.");
                    }
                    using var wav = new MemoryStream((int)audio.Length);
                    await audio.CopyToAsync(wav, ct);
                    return Answer(await orchestrator.TakeAudioTurnAsync(id, wav.ToArray(), speak ?? true, ct));
                }
                transcript = form["transcript"];
            }
            else if (http.HasJsonContentType())
            {
                transcript = (await http.ReadFromJsonAsync<TurnRequest>(ct))?.Transcript;
            }
            else
            {
                return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send application/json {\"transcript\": \"…\"}.");
            }
            return Answer(await orchestrator.TakeTurnAsync(id, transcript, speak ?? true, ct));
        }).DisableAntiforgery().WithBodyLimit(WavAudio.MaxBytes + (64 * 1024));
        return app;
    }

    private static IResult Answer(TurnResult turn) => Results.Ok(new
    {
        id = turn.TurnId,
        transcript = turn.Transcript,
        answer = turn.Answer,
        sources = turn.Sources,
        audio = turn.Audio is null ? null : new { format = "wav", sampleRate = WavAudio.SampleRateOf(turn.Audio), base64 = Convert.ToBase64String(turn.Audio) },
        timings = turn.Timings,
        cached = turn.Cached,
        degraded = turn.Degraded,
    });
}
