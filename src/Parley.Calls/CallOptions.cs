using System.ComponentModel.DataAnnotations;

namespace Parley.Calls;

/// <summary><c>Parley:Calls</c>: the per-stage latency budgets of a turn and the semantic answer cache.</summary>
public sealed class CallOptions
{
    public const string Section = "Parley:Calls";

    /// <summary>
    /// Speech recognition of an audio turn. Outside <see cref="TurnBudgetMs"/>, which runs from the
    /// transcript on (a streaming recogniser hands the transcript over as the caller stops speaking).
    /// </summary>
    [Range(1, 60_000)]
    public int AsrBudgetMs { get; set; } = 1000;

    /// <summary>
    /// Embedding the question, waiting for a model session included. On a miss the turn falls back to
    /// the answer cache by the exact text, then to a full-text search, and reports <c>degraded: ["embed"]</c>.
    /// </summary>
    [Range(1, 60_000)]
    public int EmbedBudgetMs { get; set; } = 150;

    [Range(1, 60_000)]
    public int SearchBudgetMs { get; set; } = 100;

    [Range(1, 60_000)]
    public int LlmBudgetMs { get; set; } = 300;

    [Range(1, 60_000)]
    public int TtsBudgetMs { get; set; } = 100;

    [Range(1, 120_000)]
    public int TurnBudgetMs { get; set; } = 500;

    /// <summary>
    /// Whether a follow-up that leans on the conversation ("and on Sundays?") is rewritten into a standalone
    /// query before it is embedded, searched and looked up in the answer cache (stage <c>rewrite</c>). On by
    /// default; <c>bench followups</c> turns it off to measure what it is worth.
    /// </summary>
    public bool RewriteFollowUps { get; set; } = true;

    /// <summary>
    /// Whether a turn the local rule marks as a follow-up is rewritten by the OpenAI-compatible LLM
    /// (<c>Parley:Llm</c>, which must then be <c>openai</c>) under <see cref="RewriteBudgetMs"/>, falling back to
    /// the local rewrite on a miss, an error or an unusable reply. Off by default: it spends a model call,
    /// and its budget, on every follow-up.
    /// </summary>
    public bool LlmRewrite { get; set; }

    /// <summary>The LLM rewrite's budget; past it the turn goes on with the local rewrite and reports <c>degraded: ["rewrite"]</c>.</summary>
    [Range(1, 60_000)]
    public int RewriteBudgetMs { get; set; } = 150;

    /// <summary>Earlier turns of the call given to the LLM.</summary>
    [Range(0, 50)]
    public int HistoryTurns { get; set; } = 4;

    /// <summary>A question at least this similar to an answered one (same agent, same knowledge) gets its answer.</summary>
    [Range(0.5, 1.0)]
    public double AnswerCacheSimilarity { get; set; } = 0.95;

    [Range(0, 100_000)]
    public int AnswerCacheEntriesPerAgent { get; set; } = 1000;

    /// <summary>
    /// A final transcript whose embedding is at least this close (cosine) to a prefetched interim one of its
    /// call reuses that interim's passages instead of searching (<c>POST /v1/calls/{id}/turns/interim</c>).
    /// 0.85, from <c>bench turn --interim</c>'s threshold profile (all-MiniLM-L6-v2, the demo knowledge, cuts at
    /// 50/75/90 % of the words): at 0.9 only 12 % of the questions had a cut close enough (all with the final's
    /// own first passage); at 0.85, 42 %, and 96 % of those ranked the same first passage (84 % of the top 3);
    /// at 0.8, 62 % but 94 % and 78 %. The cut that matters is the last one, which usually lacks the closing
    /// content word ("what time do you open on" / "… on Sunday?"). A larger, less uniform knowledge base may want it higher.
    /// </summary>
    [Range(0.5, 1.0)]
    public double InterimReuseSimilarity { get; set; } = 0.85;

    /// <summary>Prefetched interims kept per call, newest first (each holds its vector and its passages: a few kB).</summary>
    [Range(1, 16)]
    public int InterimPrefetchesPerCall { get; set; } = 3;

    /// <summary>Calls of this process holding prefetches; beyond it an interim is refused (<c>node_limit</c>) and counted. 0 turns interim prefetching off.</summary>
    [Range(0, 1_000_000)]
    public int InterimMaxCalls { get; set; } = 2000;

    /// <summary>Calls of one account holding prefetches in this process, so that one tenant cannot fill the node (<c>account_limit</c>).</summary>
    [Range(1, 1_000_000)]
    public int InterimMaxCallsPerAccount { get; set; } = 200;

    /// <summary>Prefetches of this process running at once (embedding at API-search priority, then the search); others wait their turn.</summary>
    [Range(1, 256)]
    public int InterimConcurrency { get; set; } = 2;

    /// <summary>
    /// A prefetch not used by a final turn within this many seconds is dropped (a caller who went quiet, a
    /// call that timed out or was ended on another node).
    /// </summary>
    [Range(1, 3600)]
    public int InterimPrefetchSeconds { get; set; } = 30;

    /// <summary>
    /// How long one prefetch's embedding and search may take. It is not a turn's budget: nobody waits for a
    /// prefetch, and its embedding queues behind every turn's (API-search priority), so held to the turn's
    /// embed + search budgets (250 ms) most prefetches were cut off under load and the hit rate fell from
    /// about 40 % to 7 % (bench turn --interim). Long enough to finish behind a queue, short enough that a
    /// stuck search does not hold one of the <see cref="InterimConcurrency"/> places for long.
    /// </summary>
    [Range(10, 60_000)]
    public int InterimPrefetchBudgetMs { get; set; } = 1500;

    /// <summary>Memory for the audio of answers already spoken (see <c>SpeechCache</c>); 0 turns it off.</summary>
    [Range(0, 4096)]
    public int SpeechCacheMegabytes { get; set; } = 64;

    /// <summary>
    /// Calls started in this process and not ended beyond which <c>POST /v1/calls</c> answers 503 with
    /// <c>Retry-After</c>, so the platform places the call on another node; 0 means no static limit.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxActiveCalls { get; set; }

    /// <summary>
    /// The adaptive limit: new calls are refused while the p90 of the time turns and searches waited for
    /// the embedding model over the last <see cref="AdmissionWindowSeconds"/> exceeds this; 0 turns it off.
    /// </summary>
    [Range(0, 60_000)]
    public double MaxModelQueueWaitMs { get; set; } = 40;

    [Range(1, 600)]
    public int AdmissionWindowSeconds { get; set; } = 5;

    /// <summary>Waits the adaptive limit needs in its window before it judges (a handful says nothing).</summary>
    [Range(1, 100_000)]
    public int AdmissionMinSamples { get; set; } = 20;

    /// <summary>
    /// A call with no turn for this long is ended and billed by the idle sweeper (up to its last turn,
    /// or its start when it had none), as if the platform had sent <c>/end</c>; 0 turns the sweeper off.
    /// </summary>
    [Range(0, 7 * 86_400)]
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary>Seconds between two looks of the idle sweeper (one process looks at a time).</summary>
    [Range(0.1, 3600)]
    public double IdleSweepSeconds { get; set; } = 15;

    /// <summary>Sent as <c>Retry-After</c> with a refusal.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>A call never ended stops counting as active after this long.</summary>
    [Range(1, 1440)]
    public int MaxCallMinutes { get; set; } = 60;

    /// <summary>Call-log records held in memory; beyond this they wait in the spool only (without one, they are dropped and counted).</summary>
    [Range(100, 10_000_000)]
    public int CallLogCapacity { get; set; } = 100_000;

    /// <summary>Append each turn's records to a local spool before answering, so a killed process loses none (see <c>RecordSpool</c>).</summary>
    public bool Spool { get; set; } = true;

    /// <summary>The spool's folder; by default <c>spool</c> under <c>PARLEY_HOME</c> (or under the temp folder). One subfolder per database.</summary>
    public string? SpoolPath { get; set; }

    /// <summary>Disk the spool may take; beyond it records are held in memory only.</summary>
    [Range(1, 1_000_000)]
    public int SpoolMegabytes { get; set; } = 1024;

    /// <summary>
    /// The least time between two fsyncs of the spool: what a crash of the host (power, kernel; not of the
    /// process) may lose, against how often the spool's fsyncs compete with the database's on the same disk.
    /// 0 syncs on every append's wake.
    /// </summary>
    [Range(0, 1000)]
    public int SpoolSyncMilliseconds { get; set; } = 10;

    /// <summary><see cref="SpoolPath"/>, or its default.</summary>
    public string ResolvedSpoolPath => SpoolPath is { Length: > 0 } path ? path
        : Path.Combine(Environment.GetEnvironmentVariable("PARLEY_HOME") is { Length: > 0 } home ? home : Path.Combine(Path.GetTempPath(), "parley"), "spool");
}
