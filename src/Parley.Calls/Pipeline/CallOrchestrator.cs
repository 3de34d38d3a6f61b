using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Calls.CallLog;
using Parley.Calls.Providers;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Knowledge;
using Parley.Transactional.Agents;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.Pipeline;

/// <summary>
/// The design's OrchestratorService.processCall: (audio → transcript) → embed → search → answer →
/// speech → call log. Each stage runs under its own budget (a linked token that cancels it); a stage
/// that misses its budget or fails is cut off and the turn degrades instead of failing: no transcript
/// (the caller is asked to repeat), no passages, the extractive answer, or no audio. The record of the
/// turn is queued for the call-log writer, never awaited.
/// </summary>
public sealed partial class CallOrchestrator(
    CallService calls,
    AgentService agents,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    IKnowledgeSearch search,
    KnowledgeDocuments documents,
    IAnswerGenerator llm,
    IEnumerable<ITextToSpeech> speech,
    ISpeechToText asr,
    SemanticAnswerCache answerCache,
    SpeechCache speechCache,
    CallLogWriter callLog,
    CallHistory history,
    CallMetrics metrics,
    IOptions<CallOptions> options,
    IOptions<AsrOptions> asrOptions,
    TimeProvider time,
    ILogger<CallOrchestrator> logger)
{
    public const int MaxTranscriptLength = 4000;

    /// <summary>What a turn answers when speech recognition heard nothing or fell back.</summary>
    public const string NotHeard = "I'm sorry, I didn't catch that. Could you say it again?";

    /// <summary>A text turn: the caller's words, already transcribed.</summary>
    public Task<TurnResult> TakeTurnAsync(Guid callId, string? transcript, bool speak, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, transcript, null, speak, cancellationToken);

    /// <summary>
    /// An audio turn: a WAV of the caller's utterance goes through the configured recogniser first
    /// (stage <c>asr</c>, its own budget). A recogniser that fails or runs out of time degrades the
    /// turn to <see cref="NotHeard"/>, spoken and logged like any answer; audio that is not a WAV, or a
    /// server that takes text turns only, is bad input.
    /// </summary>
    public Task<TurnResult> TakeAudioTurnAsync(Guid callId, ReadOnlyMemory<byte> wav, bool speak, CancellationToken cancellationToken) =>
        TakeTurnAsync(callId, null, wav, speak, cancellationToken);

    private async Task<TurnResult> TakeTurnAsync(Guid callId, string? transcript, ReadOnlyMemory<byte>? recording, bool speak, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var started = Stopwatch.GetTimestamp();
        short[]? utterance = null;
        if (recording is { } wav)
        {
            // The header is checked against the bytes first, whatever recogniser is configured.
            Audio.WavAudio.Validate(wav.Span, asrOptions.Value.MaxAudioSeconds);
            if (!asr.AcceptsAudio)
            {
                throw new InvalidRequestException("audio",
                    $"This server takes text turns only (Parley:Asr:Provider is '{asr.Name}'); send {{\"transcript\": …}}, or configure 'openai' or 'pocketsphinx'.");
            }
            // Recognisers get one shape, decoded once: 16 kHz 16-bit mono samples (and a file that is no WAV is a 400 here, not a degraded turn).
            utterance = Audio.WavAudio.ToPcm16(wav.Span, ISpeechToText.SampleRate);
        }
        else
        {
            new Validation()
                .Require(!string.IsNullOrWhiteSpace(transcript), "transcript", "transcript is required.")
                .Require(transcript is null || transcript.Length <= MaxTranscriptLength, "transcript", $"transcript is longer than {MaxTranscriptLength} characters.")
                .ThrowIfInvalid();
        }
        var call = await calls.FindAsync(callId, cancellationToken);
        if (call.Status == "ended")
        {
            throw new ConflictException("This call has ended.");
        }
        var agent = await agents.GetAsync(call.AgentId, cancellationToken);
        var account = call.AccountId;
        var degraded = new List<string>();
        var ran = new List<string>(5);
        double asrMs = 0;
        var t = Stopwatch.GetTimestamp();
        if (utterance is not null)
        {
            ran.Add("asr");
            transcript = await StageAsync("asr", o.AsrBudgetMs, degraded, async ct => (string?)await asr.TranscribeAsync(utterance, ct), () => null, cancellationToken);
            transcript = transcript?.Trim() is { Length: > 0 } heard ? heard[..Math.Min(heard.Length, MaxTranscriptLength)] : null;
            asrMs = Elapsed(t);
        }
        using var turnBudget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        turnBudget.CancelAfter(TimeSpan.FromMilliseconds(o.TurnBudgetMs));

        CachedAnswer? cached = null;
        IReadOnlyList<SearchHit> passages = [];
        double embedMs = 0, searchMs = 0, llmMs = 0;
        string answer;
        if (transcript is null)
        {
            answer = NotHeard;
        }
        else
        {
            // Embed once: the vector serves the answer cache and the search.
            ran.Add("embed");
            t = Stopwatch.GetTimestamp();
            var generation = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingProperties.Account] = account.ToString() } };
            var vector = (await embeddings.GenerateVectorAsync(transcript, generation, cancellationToken)).ToArray();
            embedMs = Elapsed(t);

            var version = await documents.VersionAsync(account, cancellationToken);
            cached = answerCache.Find(agent.Id, vector, version);
            passages = cached?.Sources ?? [];
            if (cached is not null)
            {
                answer = cached.Answer;
                metrics.AnswerCache(account, hit: true);
            }
            else
            {
                metrics.AnswerCache(account, hit: false);
                ran.AddRange(["search", "llm"]);
                t = Stopwatch.GetTimestamp();
                passages = await StageAsync("search", o.SearchBudgetMs, degraded, async ct =>
                    (await search.SearchAsync(account, new SearchRequest(transcript!, agent.TopK, null, null, agent.Hybrid ? SearchMode.Hybrid : SearchMode.Vector), vector, ct)).Results,
                    () => (IReadOnlyList<SearchHit>)[], turnBudget.Token);
                searchMs = Elapsed(t);

                var context = new AnswerContext(agent.SystemPrompt, transcript!, passages, history.Recent(callId, o.HistoryTurns), agent.MinSimilarity);
                t = Stopwatch.GetTimestamp();
                answer = await StageAsync("llm", o.LlmBudgetMs, degraded, ct => llm.AnswerAsync(context, ct),
                    () => ExtractiveAnswerGenerator.Compose(context), turnBudget.Token);
                if (string.IsNullOrWhiteSpace(answer))
                {
                    answer = ExtractiveAnswerGenerator.Compose(context);
                    degraded.Add("llm");
                }
                llmMs = Elapsed(t);
                if (!degraded.Contains("search") && !degraded.Contains("llm"))
                {
                    answerCache.Add(agent.Id, new CachedAnswer(transcript!, vector, answer, passages, version));
                }
            }
        }
        passages = passages.Where(p => p.Similarity >= agent.MinSimilarity).ToList();

        byte[]? audio = null;
        t = Stopwatch.GetTimestamp();
        var tts = speech.FirstOrDefault();
        if (speak && tts is not null)
        {
            if (speechCache.TryGet(tts.Name, agent.Voice, answer, out var spoken))
            {
                audio = spoken;
            }
            else
            {
                ran.Add("tts");
                audio = await StageAsync("tts", o.TtsBudgetMs, degraded, async ct => (byte[]?)await tts.SpeakAsync(answer, agent.Voice, ct), () => null, turnBudget.Token);
                if (audio is not null)
                {
                    speechCache.Add(tts.Name, agent.Voice, answer, audio);
                }
            }
        }
        var ttsMs = Elapsed(t);
        var timings = new TurnTimings(asrMs, embedMs, searchMs, llmMs, ttsMs, Elapsed(started));

        var turnId = Guid.CreateVersion7();
        var ordinal = history.Add(callId, transcript ?? "(inaudible)", answer);
        var sources = passages.Select(p => new TurnSource(p.ChunkId, p.Title, p.Similarity)).ToList();
        callLog.Enqueue(new CallTurn
        {
            AccountId = account, Id = turnId, CallId = callId, Ordinal = ordinal, Transcript = transcript ?? "", Answer = answer, AsrMs = timings.AsrMs,
            ChunkIds = passages.Select(p => p.ChunkId).ToArray(), Sources = JsonSerializer.Serialize(sources, JsonSerializerOptions.Web),
            EmbedMs = timings.EmbedMs, SearchMs = timings.SearchMs, LlmMs = timings.LlmMs, TtsMs = timings.TtsMs, TotalMs = timings.TotalMs,
            Cached = cached is not null, Degraded = degraded.ToArray(), CreatedAt = time.GetUtcNow(),
        }, cached is null && transcript is not null && llm is ChatClientAnswerGenerator
            ? [new UsageRecord { AccountId = account, Id = Guid.CreateVersion7(), Kind = BillingService.LlmTokens, Quantity = (transcript.Length + answer.Length) / 4, OccurredAt = time.GetUtcNow(), CallId = callId }]
            : []);
        metrics.Turn(account, timings, degraded, ran);
        return new TurnResult(turnId, answer, sources, audio, timings, cached is not null, degraded) { Transcript = transcript };
    }

    /// <summary>
    /// Runs a stage under its budget. A timeout (our token, not the caller's) or a provider failure
    /// becomes the fallback plus a mark in <paramref name="degraded"/>; the caller's own cancellation
    /// still propagates.
    /// </summary>
    private async Task<T> StageAsync<T>(string stage, int budgetMs, List<string> degraded, Func<CancellationToken, Task<T>> run, Func<T> fallbackValue, CancellationToken turn)
    {
        using var activity = CallTelemetry.Source.StartActivity($"turn {stage}")?.SetTag("parley.stage", stage);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(turn);
        cts.CancelAfter(TimeSpan.FromMilliseconds(budgetMs));
        try
        {
            return await run(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            LogDegraded(logger, stage, "budget exceeded", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDegraded(logger, stage, e.GetType().Name, e);
        }
        activity?.SetStatus(ActivityStatusCode.Error, "degraded");
        degraded.Add(stage);
        return fallbackValue();
    }

    private static double Elapsed(long since) => Math.Round(Stopwatch.GetElapsedTime(since).TotalMilliseconds, 3);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Turn stage {Stage} degraded: {Reason}")]
    private static partial void LogDegraded(ILogger logger, string stage, string reason, Exception? exception);
}

/// <summary>The last turns of each live call, for the LLM's context (in process; a call lives on one server).</summary>
public sealed class CallHistory
{
    private readonly ConcurrentDictionary<Guid, List<(string Q, string A)>> _calls = new();

    public IReadOnlyList<(string Question, string Answer)> Recent(Guid callId, int count)
    {
        if (!_calls.TryGetValue(callId, out var turns))
        {
            return [];
        }
        lock (turns)
        {
            return turns.Skip(Math.Max(0, turns.Count - count)).ToList();
        }
    }

    /// <summary>Adds a turn; returns its ordinal within the call.</summary>
    public int Add(Guid callId, string question, string answer)
    {
        var turns = _calls.GetOrAdd(callId, _ => []);
        lock (turns)
        {
            turns.Add((question, answer));
            return turns.Count - 1;
        }
    }

    public void End(Guid callId) => _calls.TryRemove(callId, out _);
}
