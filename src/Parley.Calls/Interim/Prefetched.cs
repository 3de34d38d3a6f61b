using Parley.Domain.Knowledge;

namespace Parley.Calls.Interim;

/// <summary>
/// An interim transcript searched ahead of the final one: its vector, its passages, and what they were
/// taken from (the knowledge version read before the search, and the agent as it was), so that a final
/// turn uses them only against the same knowledge and the same agent.
/// </summary>
internal sealed record Prefetched(
    string Text, float[] Vector, IReadOnlyList<SearchHit> Passages, long KnowledgeVersion, Guid AgentId, DateTimeOffset AgentVersion);
