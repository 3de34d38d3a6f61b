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

    /// <summary>Earlier turns of the call given to the LLM.</summary>
    [Range(0, 50)]
    public int HistoryTurns { get; set; } = 4;

    /// <summary>A question at least this similar to an answered one (same agent, same knowledge) gets its answer.</summary>
    [Range(0.5, 1.0)]
    public double AnswerCacheSimilarity { get; set; } = 0.95;

    [Range(0, 100_000)]
    public int AnswerCacheEntriesPerAgent { get; set; } = 1000;

    /// <summary>Memory for the audio of answers already spoken (see <c>SpeechCache</c>); 0 turns it off.</summary>
    [Range(0, 4096)]
    public int SpeechCacheMegabytes { get; set; } = 64;

    /// <summary>Turns waiting for the database beyond this are dropped (and counted): memory is bounded.</summary>
    [Range(100, 10_000_000)]
    public int CallLogCapacity { get; set; } = 100_000;
}
