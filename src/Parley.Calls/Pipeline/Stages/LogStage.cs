using System.Text.Json;
using Parley.Calls.CallLog;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// The record of the turn: the call's history for the next turns (on the call's row, awaited: the next
/// turn may run on another server process), the call log and the
/// usage the answer stage reported (queued for the writer, never awaited: a call log is never lost and
/// never in the way), the turn metric, and the <see cref="TurnResult"/>.
/// </summary>
internal sealed class LogStage(CallHistory history, CallLogWriter callLog, CallMetrics metrics) : TurnStage
{
    public override string Name => "log";

    /// <summary>What the turn used, metered: LLM tokens as the provider reported them, the question's
    /// embedding tokens, seconds of speech recognised and characters spoken.</summary>
    private static List<UsageRecord> Metered(TurnContext turn, string answer, DateTimeOffset now)
    {
        var usage = new List<UsageRecord>(5);
        void Add(string kind, decimal quantity) => usage.Add(new UsageRecord
        {
            AccountId = turn.Account, Id = Guid.CreateVersion7(), Kind = kind, Quantity = quantity, OccurredAt = now, CallId = turn.CallId,
        });
        if (turn.Usage is { } llm)
        {
            Add(BillingService.LlmTokens, llm.TotalTokens);
        }
        if (turn.RewriteUsage is { } rewrite)
        {
            Add(BillingService.LlmTokens, rewrite.TotalTokens);
        }
        if (turn.Vector is not null && turn.Query is { Length: > 0 } query)
        {
            Add(BillingService.EmbeddingTokens, BillingService.EstimateTokens(query));
        }
        if (turn.Utterance is { Length: > 0 } samples)
        {
            Add(BillingService.AsrSeconds, Math.Round((decimal)samples.Length / Providers.ISpeechToText.SampleRate, 3));
        }
        if (turn.Audio is not null)
        {
            Add(BillingService.TtsCharacters, answer.Length);
        }
        return usage;
    }

    public override bool Applies(TurnContext turn) => true;

    public override async Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken)
    {
        var answer = turn.Answer!;
        var passages = turn.UsedPassages;
        var timings = new TurnTimings(turn.Ms(RecogniseStage.StageName), turn.Ms(EmbedStage.StageName), turn.Ms(SearchStage.StageName),
            turn.Ms(AnswerStage.StageName), turn.Ms(SpeakStage.StageName), turn.ElapsedMs)
        {
            RewriteMs = turn.Ms(RewriteStage.StageName),
            PrefetchMs = turn.Ms(PrefetchStage.StageName),
            FirstTokenMs = turn.Stream?.FirstTokenMs,
            FirstAudioMs = turn.Stream?.FirstAudioMs,
        };
        var turnId = Guid.CreateVersion7();
        var ordinal = turn.Ordinal;
        var question = turn.Transcript ?? "(inaudible)";
        var standalone = turn.QueryRewritten ? turn.Query : null;
        var rewrite = turn.Rewrite;
        var sources = turn.Sources();
        var degraded = turn.Degraded.ToArray();
        var now = turn.Time.GetUtcNow();
        callLog.Enqueue(new CallTurn
        {
            AccountId = turn.Account, Id = turnId, CallId = turn.CallId, Ordinal = ordinal, Transcript = turn.Transcript ?? "", Answer = answer,
            ChunkIds = passages.Select(p => p.ChunkId).ToArray(), Sources = JsonSerializer.Serialize(sources, JsonSerializerOptions.Web),
            AsrMs = timings.AsrMs, EmbedMs = timings.EmbedMs, SearchMs = timings.SearchMs, LlmMs = timings.LlmMs, TtsMs = timings.TtsMs,
            TotalMs = timings.TotalMs, Cached = turn.Cached is not null, Degraded = degraded, CreatedAt = now, StandaloneQuery = standalone,
            KnowledgeVersion = turn.KnowledgeVersion,
            RewriteMs = timings.RewriteMs, Rewrite = rewrite,
            PrefetchMs = timings.PrefetchMs, Interims = turn.InterimsArrived, PrefetchMatch = turn.PrefetchMatch,
            PrefetchTranscript = turn.PrefetchTranscript,
        }, Metered(turn, answer, now));
        metrics.Turn(turn.Account, timings.TotalMs);
        // After the call log is queued: a caller who hangs up now cancels this, never the turn's record.
        await history.RememberAsync(turn.Account, turn.CallId, new HistoryTurn(ordinal, question, turn.Transcript is null ? question : turn.Query!, answer),
            turn.Options.HistoryTurns, cancellationToken);
        var result = new TurnResult(turnId, answer, sources, turn.Audio, timings, turn.Cached is not null, degraded)
        {
            Transcript = turn.Transcript,
            StandaloneQuery = standalone,
            KnowledgeVersion = turn.KnowledgeVersion,
            Rewrite = rewrite,
            PrefetchMatch = turn.PrefetchMatch,
            Interims = turn.InterimsArrived,
            PrefetchTranscript = turn.PrefetchTranscript,
        };
        return StageResult.Succeeded(t => t.Result = result);
    }
}
