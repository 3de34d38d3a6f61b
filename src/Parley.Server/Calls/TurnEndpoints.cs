using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Calls.Audio;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Server.Auth;
using Parley.Transactional.ApiKeys;
using Parley.Server.Errors;
using Parley.Server.Streaming;

namespace Parley.Server.Calls;

/// <summary>
/// <c>POST /v1/calls/{id}/turns</c>: one phone turn through the orchestrator, from JSON
/// <c>{transcript}</c> or a multipart form with an <c>audio</c> WAV file (speech recognition first).
/// </summary>
internal static class TurnEndpoints
{
    public sealed record TurnRequest(string? Transcript);

    /// <summary>The spoken answer: a 16-bit mono WAV, base64.</summary>
    public sealed record TurnAudio(string Format, int SampleRate, string Base64);

    /// <param name="Transcript">The text sent, or what the recogniser heard (null when it heard nothing).</param>
    /// <param name="Audio">Null when not asked to speak (<c>?speak=false</c>) or when speech fell back.</param>
    /// <param name="Degraded">The stages that missed their budget or failed, answered by their fallback.</param>
    /// <param name="StandaloneQuery">What retrieval ran on when the transcript leaned on earlier turns ("and on Sundays?"); null otherwise.</param>
    /// <param name="KnowledgeVersion">The tenant's knowledge version the turn was answered from (every upload and delete bumps it).</param>
    /// <param name="Rewrite">Which rewrite was used: <c>llm</c>, or <c>local</c> (the rule, or the LLM's fallback with <c>degraded: ["rewrite"]</c>); null when none.</param>
    /// <param name="Prefetched">The passages came from an interim transcript's prefetch (<c>POST /v1/calls/{id}/turns/interim</c>): no search ran.</param>
    /// <param name="PrefetchMatch"><c>exact</c> (an interim of the same words: no embedding either) or <c>similar</c>; absent when not prefetched.</param>
    /// <param name="Interims">How many interim transcripts of this utterance arrived before it (0 when none was sent).</param>
    public sealed record TurnAnswerResponse(
        Guid Id, string? Transcript, string Answer, IReadOnlyList<TurnSource> Sources, TurnAudio? Audio,
        TurnTimings Timings, bool Cached, IReadOnlyList<string> Degraded,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StandaloneQuery,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rewrite, long KnowledgeVersion,
        bool Prefetched,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrefetchMatch, int Interims);

    public static IEndpointRouteBuilder MapTurnEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/calls").RequireTenant().RequireScope(ApiKeyScopes.Calls).WithCrudProblems().WithTags("Calls");
        group.MapPost("/{id:guid}/turns", TakeTurnAsync).DisableAntiforgery().WithBodyLimit(WavAudio.MaxBytes + (64 * 1024))
            .Produces<TurnAnswerResponse>(StatusCodes.Status200OK, "application/json")
            .WithMetadata(new EventStreamResponse(typeof(TurnStreamWire.TranscriptData), typeof(TurnStreamWire.SourcesData),
                typeof(TurnStreamWire.AnswerData), typeof(TurnStreamWire.AudioData), typeof(TurnAnswerResponse), typeof(TurnStreamWire.ErrorData)));
        return app;
    }

    /// <summary>
    /// With <c>Accept: text/event-stream</c> the turn is told as it happens (<see cref="TurnEventStream"/>);
    /// otherwise it answers once, whole.
    /// </summary>
    private static async Task<Results<Ok<TurnAnswerResponse>, EmptyHttpResult, ProblemHttpResult>> TakeTurnAsync(
        Guid id, HttpRequest http, bool? speak, CallOrchestrator orchestrator, TurnEventStream stream, CancellationToken ct)
    {
        var streamed = ServerSentEvents.Wanted(http);
        string? transcript;
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync(ct);
            if (form.Files["audio"] is { } audio)
            {
                if (audio.Length > WavAudio.MaxBytes)
                {
                    throw new InvalidRequestException("audio",
                        $"The audio is larger than {WavAudio.MaxBytes / (1024 * 1024)} MB.");
                }
                using var wav = new MemoryStream((int)audio.Length);
                await audio.CopyToAsync(wav, ct);
                if (streamed)
                {
                    await stream.WriteAsync(http.HttpContext, id, null, wav.ToArray(), speak ?? true, ct);
                    return TypedResults.Empty;
                }
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
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: "Send application/json {\"transcript\": \"…\"}.");
        }
        if (streamed)
        {
            await stream.WriteAsync(http.HttpContext, id, transcript, null, speak ?? true, ct);
            return TypedResults.Empty;
        }
        return Answer(await orchestrator.TakeTurnAsync(id, transcript, speak ?? true, ct));
    }

    private static Ok<TurnAnswerResponse> Answer(TurnResult turn) => TypedResults.Ok(Describe(turn, withAudio: true));

    /// <summary>The turn as its answer tells it; a streamed turn's <c>done</c> leaves the audio out (each sentence's went out on its own).</summary>
    internal static TurnAnswerResponse Describe(TurnResult turn, bool withAudio)
    {
        var audio = turn.Audio is null || !withAudio ? null
            : new TurnAudio("wav", WavAudio.SampleRateOf(turn.Audio), Convert.ToBase64String(turn.Audio));
        return new TurnAnswerResponse(
            turn.TurnId, turn.Transcript, turn.Answer, turn.Sources, audio, turn.Timings, turn.Cached, turn.Degraded, turn.StandaloneQuery, turn.Rewrite,
            turn.KnowledgeVersion, turn.PrefetchMatch is not null, turn.PrefetchMatch, turn.Interims);
    }
}
