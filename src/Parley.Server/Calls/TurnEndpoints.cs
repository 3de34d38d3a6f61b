using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Server.Auth;

namespace Parley.Server.Calls;

/// <summary><c>POST /v1/calls/{id}/turns</c>: one phone turn through the orchestrator.</summary>
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
                if (form.Files["audio"] is not null)
                {
                    throw new InvalidRequestException("audio", "Audio turns need a speech-to-text provider (Parley:Asr:Provider); send {\"transcript\": …} instead.");
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
            var turn = await orchestrator.TakeTurnAsync(id, transcript, speak ?? true, ct);
            return Results.Ok(new
            {
                id = turn.TurnId,
                answer = turn.Answer,
                sources = turn.Sources,
                audio = turn.Audio is null ? null : new { format = "wav", base64 = Convert.ToBase64String(turn.Audio) },
                timings = turn.Timings,
                cached = turn.Cached,
                degraded = turn.Degraded,
            });
        }).DisableAntiforgery();
        return app;
    }
}
