using System.Threading.Channels;
using Parley.Calls.Interim;
using Parley.Calls.Providers;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Parley.Transactional.Agents;

namespace Parley.Calls.Pipeline;

/// <summary>
/// One turn as its stages see it: what came in, what each stage left, what fell back, and the turn's
/// budget. Written only on the turn's own flow (stages hand their results to the runner, which applies
/// them), so it needs no locks.
/// </summary>
/// <param name="startedAt">When the request came in (<see cref="TimeProvider.GetTimestamp"/>): the total counts the call and
/// agent lookups too.</param>
internal sealed class TurnContext(
    Guid callId, AccountId account, Agent agent, CallOptions options, bool speak, long startedAt, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, TimeSpan> _ran = new(StringComparer.Ordinal);
    private readonly List<string> _degraded = [];
    private CancellationTokenSource? _turnTimer;
    private CancellationTokenSource? _turnBudget;
    private string? _query;

    public Guid CallId { get; } = callId;
    public AccountId Account { get; } = account;
    public Agent Agent { get; } = agent;
    public CallOptions Options { get; } = options;
    public bool Speak { get; } = speak;
    public TimeProvider Time { get; } = time;

    /// <summary>The turn's ordinal in its call, taken from the call's row as the turn began.</summary>
    public int Ordinal { get; init; }

    /// <summary>The call's last turns before this one, oldest first, whichever server process took them.</summary>
    public IReadOnlyList<HistoryTurn> History { get; init; } = [];

    /// <summary>The caller's utterance of an audio turn, decoded (16 kHz mono); null for a text turn.</summary>
    public short[]? Utterance { get; init; }

    /// <summary>
    /// Where the answer stage publishes the answer's pieces as they are generated (a streamed turn);
    /// null when the turn answers only when done. A channel, because a stage cut off at its budget may
    /// still write to it from the background after the turn moved on.
    /// </summary>
    public ChannelWriter<string>? AnswerDeltas { get; init; }

    /// <summary>A streamed turn's events, sentences and speech (<see cref="CallOrchestrator.StreamTurnAsync"/>); null otherwise.</summary>
    public TurnStream? Stream { get; init; }

    /// <summary>What the caller said: sent as text, or heard by the recogniser (null when it heard nothing).</summary>
    public string? Transcript { get; set; }

    /// <summary>What retrieval runs on: the transcript, unless a stage rewrote it (a follow-up made standalone).</summary>
    public string? Query
    {
        get => _query ?? Transcript;
        set => _query = value;
    }

    /// <summary>Whether <see cref="Query"/> borrowed words from earlier turns: an answer to it then depends on this conversation.</summary>
    public bool QueryRewritten { get; set; }

    /// <summary>Which rewrite the turn used, <c>llm</c> or <c>local</c> (<see cref="Stages.RewriteStage"/>); null when none ran or none changed it.</summary>
    public string? Rewrite { get; set; }

    /// <summary>Tokens the LLM rewrite cost, billed beside the answer's.</summary>
    public AnswerUsage? RewriteUsage { get; set; }

    /// <summary>The query's embedding; null when the embed stage fell back.</summary>
    public float[]? Vector { get; set; }

    /// <summary>
    /// The tenant's knowledge version, read once per turn before retrieval (also for a turn that was not heard):
    /// it keys the answer cache and is logged with the turn. An upload committed between this read and
    /// the search is counted in the next turn's version, never this one's.
    /// </summary>
    public long KnowledgeVersion { get; set; }

    /// <summary>Whether <see cref="KnowledgeVersion"/> was already read this turn (as it began, or by <c>prefetch</c>), so no stage need read it again.</summary>
    public bool KnowledgeVersionKnown { get; set; }

    /// <summary>The call's interim prefetches this turn took (stage <c>prefetch</c>); null before it ran.</summary>
    internal IReadOnlyList<InterimEntry>? Interims { get; set; }

    /// <summary>Whether <c>prefetch</c> already compared the turn's vector with its interims.</summary>
    public bool PrefetchCompared { get; set; }

    /// <summary><c>exact</c> or <c>similar</c> when the passages came from an interim's prefetch instead of a search; null otherwise.</summary>
    public string? PrefetchMatch { get; set; }

    /// <summary>How many interim transcripts of this utterance reached this process before the final (stage <c>prefetch</c>).</summary>
    public int InterimsArrived { get; set; }

    /// <summary>The words of the interim whose prefetch answered; null when none did.</summary>
    public string? PrefetchTranscript { get; set; }
    public CachedAnswer? Cached { get; set; }
    public IReadOnlyList<SearchHit> Passages { get; set; } = [];

    /// <summary>Passages below this are not used nor cited: the agent's cosine threshold, or 0 for full-text ranks.</summary>
    public double RelevanceFloor { get; set; } = agent.MinSimilarity;

    public string? Answer { get; set; }

    /// <summary>The passages the answer may use and cites: those at or above <see cref="RelevanceFloor"/>.</summary>
    public IReadOnlyList<SearchHit> UsedPassages => Passages.Where(p => p.Similarity >= RelevanceFloor).ToList();

    public IReadOnlyList<TurnSource> Sources() => UsedPassages.Select(p => new TurnSource(p.ChunkId, p.Title, p.Similarity)).ToList();

    /// <summary>Billable tokens, as the stage that produced the answer reported them.</summary>
    public AnswerUsage? Usage { get; set; }

    public byte[]? Audio { get; set; }
    public TurnResult? Result { get; set; }

    /// <summary>Whether the turn has its answer (from the cache, or "not heard"); the stages that make one then stand aside.</summary>
    public bool Answered => Answer is not null;

    public IReadOnlyList<string> Degraded => _degraded;

    public bool IsDegraded(string stage) => _degraded.Contains(stage);

    public void MarkDegraded(string stage) => _degraded.Add(stage);

    public void Ran(string stage, TimeSpan elapsed) => _ran[stage] = elapsed;

    /// <summary>Adds to a stage's time: an in-process stage that runs at two places in the turn.</summary>
    public void RanMore(string stage, TimeSpan elapsed) => _ran[stage] = _ran.GetValueOrDefault(stage) + elapsed;

    /// <summary>A stage's time in milliseconds, 0 when it did not run.</summary>
    public double Ms(string stage) => _ran.TryGetValue(stage, out var t) ? Math.Round(t.TotalMilliseconds, 3) : 0;

    public double ElapsedMs => Math.Round(Time.GetElapsedTime(startedAt).TotalMilliseconds, 3);

    /// <summary>
    /// The turn's budget, linked to the caller's token. It starts when the first stage inside it
    /// starts, after speech recognition: <see cref="CallOptions.TurnBudgetMs"/> runs from the transcript on.
    /// </summary>
    public CancellationToken TurnBudget(CancellationToken caller)
    {
        if (_turnBudget is null)
        {
            _turnTimer = new CancellationTokenSource(TimeSpan.FromMilliseconds(Options.TurnBudgetMs), Time);
            _turnBudget = CancellationTokenSource.CreateLinkedTokenSource(caller, _turnTimer.Token);
        }
        return _turnBudget.Token;
    }

    public void Dispose()
    {
        Stream?.Dispose();
        _turnBudget?.Dispose();
        _turnTimer?.Dispose();
    }
}
