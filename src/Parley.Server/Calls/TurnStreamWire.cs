using System.Text.Json.Serialization;
using Parley.Calls.Pipeline;
using Parley.Domain;

namespace Parley.Server.Calls;

/// <summary>
/// The events of a streamed turn (<c>Accept: text/event-stream</c> on <c>POST /v1/calls/{id}/turns</c>),
/// each sent as <c>event: NAME</c> and one line of JSON data, in this order: <c>transcript</c>,
/// <c>sources</c>, <c>answer</c> (one per piece) with <c>audio</c> (one per sentence spoken) among them,
/// then <c>done</c> (the turn as the JSON answer tells it, without its audio) or <c>error</c>.
/// </summary>
internal static class TurnStreamWire
{
    public const string TranscriptEvent = "transcript";
    public const string SourcesEvent = "sources";
    public const string AnswerEvent = "answer";
    public const string AudioEvent = "audio";
    public const string DoneEvent = "done";
    public const string ErrorEvent = "error";

    public sealed record TranscriptData(
        string? Transcript, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StandaloneQuery,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rewrite);

    public sealed record SourcesData(IReadOnlyList<TurnSource> Sources, bool Cached);

    /// <param name="Delta">The next piece of the answer: the pieces joined are <c>done</c>'s answer.</param>
    public sealed record AnswerData(string Delta);

    /// <param name="Index">The sentence's place in the answer, from 0; a sentence whose speech failed is missing (and <c>done</c> says <c>degraded: ["tts"]</c>).</param>
    /// <param name="Text">The sentence spoken.</param>
    /// <param name="Base64">A 16-bit mono WAV of that sentence alone.</param>
    public sealed record AudioData(int Index, string Text, string Format, int SampleRate, string Base64);

    /// <summary>What ends a stream that had started when the turn failed (before it starts, a failure is a problem detail).</summary>
    public sealed record ErrorData(int Status, string Title, string Detail);

    /// <summary>
    /// A failure as the <c>error</c> event tells it. On server-sent events only what fails after the first
    /// event comes here; on the WebSocket every failure does, bad input and a call that ended included.
    /// </summary>
    public static ErrorData ErrorOf(Exception e) => e switch
    {
        InvalidRequestException bad => new(StatusCodes.Status400BadRequest, "The request is invalid.", bad.Message),
        NotFoundException gone => new(StatusCodes.Status404NotFound, "Not found", gone.Message),
        ConflictException conflict => new(StatusCodes.Status409Conflict, "Conflict", conflict.Message),
        _ when Parley.Server.Errors.ProblemExceptionHandler.IsDatabaseUnavailable(e) =>
            new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The database is unavailable right now; try again shortly."),
        _ => new(StatusCodes.Status500InternalServerError, "The turn failed", "The turn failed after it had started streaming."),
    };

    public static (string Name, object Data) Of(TurnEvent e) => e switch
    {
        TurnEvent.Transcript t => (TranscriptEvent, new TranscriptData(t.Text, t.StandaloneQuery, t.Rewrite)),
        TurnEvent.Sources s => (SourcesEvent, new SourcesData(s.Items, s.Cached)),
        TurnEvent.AnswerDelta a => (AnswerEvent, new AnswerData(a.Text)),
        TurnEvent.Audio a => (AudioEvent, new AudioData(a.Index, a.Text, "wav", Parley.Calls.Audio.WavAudio.SampleRateOf(a.Wav), Convert.ToBase64String(a.Wav))),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Not an event of a streamed turn."),
    };
}
