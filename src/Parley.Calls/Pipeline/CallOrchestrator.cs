using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Parley.Calls.Pipeline.Stages;
using Parley.Domain;
using Parley.Transactional.Agents;
using Parley.Transactional.Calls;

namespace Parley.Calls.Pipeline;

/// <summary>
/// The design's OrchestratorService.processCall: (audio → transcript) → embed → search → answer →
/// speech → call log, as named stages over one <see cref="TurnContext"/>. Each stage runs under its
/// own budget (<see cref="TurnStageRunner"/>); a stage that misses it or fails is cut off and the turn
/// degrades instead of failing: no transcript (the caller is asked to repeat), no vector (the exact-text
/// answer cache, then a full-text search), no passages, the extractive answer, or no audio. The record
/// of the turn is queued for the call-log writer, never awaited.
/// </summary>
public sealed class CallOrchestrator
{
    public const int MaxTranscriptLength = 4000;

    /// <summary>What a turn answers when speech recognition heard nothing or fell back.</summary>
    public const string NotHeard = "I'm sorry, I didn't catch that. Could you say it again?";

    private readonly CallService _calls;
    private readonly CallHistory _history;
    private readonly ITenantContext _tenant;
    private readonly TurnStages _stages;
    private readonly TurnStageRunner _runner;
    private readonly IOptions<CallOptions> _options;
    private readonly TimeProvider _time;

    internal CallOrchestrator(
        CallService calls, CallHistory history, ITenantContext tenant, TurnStages stages, TurnStageRunner runner,
        IOptions<CallOptions> options, TimeProvider time)
    {
        _calls = calls;
        _history = history;
        _tenant = tenant;
        _stages = stages;
        _runner = runner;
        _options = options;
        _time = time;
    }

    /// <summary>A text turn: the caller's words, already transcribed.</summary>
    public Task<TurnResult> TakeTurnAsync(Guid callId, string? transcript, bool speak, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, transcript, null, speak, null, null, cancellationToken);

    /// <summary>
    /// A text turn whose answer is also published piece by piece into <paramref name="answerDeltas"/>
    /// while the answer stage generates it. An answer that came whole (the answer cache, a fallback) is
    /// not published: the caller sends what the result holds beyond what it streamed.
    /// </summary>
    public Task<TurnResult> TakeStreamedTurnAsync(
        Guid callId, string? transcript, ChannelWriter<string> answerDeltas, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, transcript, null, speak: false, answerDeltas, null, cancellationToken);

    /// <summary>
    /// A turn (text, or a WAV of the utterance when <paramref name="wav"/> is given) told as it happens into
    /// <paramref name="events"/> (<see cref="TurnEvent"/>): the transcript, the sources, the answer's pieces,
    /// and with <paramref name="speak"/> each sentence's audio as soon as it is spoken, the first while the
    /// rest is generated. It is logged as any turn, and its timings add <c>firstTokenMs</c> and
    /// <c>firstAudioMs</c>. Bad input, an unknown or ended call fail before the first event; the caller
    /// completes <paramref name="events"/>.
    /// </summary>
    public Task<TurnResult> StreamTurnAsync(
        Guid callId, string? transcript, ReadOnlyMemory<byte>? wav, bool speak, ChannelWriter<TurnEvent> events, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, transcript, wav, speak, null, events, cancellationToken);

    /// <summary>
    /// An audio turn: a WAV of the caller's utterance goes through the configured recogniser first
    /// (stage <c>asr</c>, its own budget). A recogniser that fails or runs out of time degrades the
    /// turn to <see cref="NotHeard"/>, spoken and logged like any answer; audio that is not a WAV, or a
    /// server that takes text turns only, is bad input.
    /// </summary>
    public Task<TurnResult> TakeAudioTurnAsync(Guid callId, ReadOnlyMemory<byte> wav, bool speak, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, null, wav, speak, null, null, cancellationToken);

    private async Task<TurnResult> TakeTurnAsync(
        Guid callId, string? transcript, ReadOnlyMemory<byte>? recording, bool speak, ChannelWriter<string>? answerDeltas,
        ChannelWriter<TurnEvent>? events, CancellationToken cancellationToken)
    {
        using var turn = await BeginAsync(callId, transcript, recording, speak, answerDeltas, events, cancellationToken);
        var s = _stages;
        turn.Stream?.Start(turn, s.StreamedSpeech, cancellationToken);
        // prefetch twice: for an interim of the same words before embedding, for a close one after (PrefetchStage).
        foreach (var stage in (TurnStage[])[s.Recognise, s.Rewrite, s.Prefetch, s.Embed, s.Prefetch, s.AnswerCache, s.Search, s.Answer,
                     s.SpeechCache, s.Speak, s.StreamedSpeech, s.Log])
        {
            await _runner.RunAsync(stage, turn, cancellationToken);
            if (turn.Stream is not { } stream)
            {
                continue;
            }
            // Each event goes out as soon as what it tells is settled, whether the stage ran or stood aside.
            if (stage == s.Rewrite)
            {
                stream.Transcript(turn);
            }
            else if (stage == s.Search)
            {
                stream.Sources(turn);
            }
            else if (stage == s.Answer)
            {
                await stream.CompleteAnswerAsync(turn);
            }
        }
        return turn.Result!;
    }

    /// <summary>
    /// Bad input first (400 before any work), then the call's next ordinal, last turns, agent and the
    /// tenant's knowledge version in one round trip (<see cref="CallHistory"/>). A call that is not there
    /// (404) or has ended (409) takes one more lookup, to say which.
    /// </summary>
    private async Task<TurnContext> BeginAsync(
        Guid callId, string? transcript, ReadOnlyMemory<byte>? recording, bool speak, ChannelWriter<string>? answerDeltas,
        ChannelWriter<TurnEvent>? events, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var utterance = recording is { } wav ? _stages.Recognise.Decode(wav) : null;
        if (utterance is null)
        {
            new Validation()
                .Require(!string.IsNullOrWhiteSpace(transcript), "transcript", "transcript is required.")
                .Require(transcript is null || transcript.Length <= MaxTranscriptLength, "transcript",
                    $"transcript is longer than {MaxTranscriptLength} characters.")
                .ThrowIfInvalid();
        }
        var account = _tenant.Scope.RequireAccount();
        var slot = await _history.BeginTurnAsync(account, callId, cancellationToken);
        if (slot is null)
        {
            var call = await _calls.FindAsync(callId, cancellationToken);
            throw call.Status == CallStatus.Ended ? new ConflictException("This call has ended.") : new NotFoundException("Call");
        }
        var agent = slot.Agent ?? throw new NotFoundException("Agent");
        var stream = events is null ? null : new TurnStream(events);
        return new TurnContext(callId, account, agent, _options.Value, speak, started, _time)
        {
            Ordinal = slot.Ordinal,
            History = slot.Recent,
            KnowledgeVersion = slot.KnowledgeVersion,
            KnowledgeVersionKnown = true,
            Utterance = utterance,
            Transcript = utterance is null ? transcript : null,
            AnswerDeltas = stream?.AnswerDeltas ?? answerDeltas,
            Stream = stream,
        };
    }
}
