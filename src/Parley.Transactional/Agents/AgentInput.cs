namespace Parley.Transactional.Agents;

/// <summary>Create or change an agent; on PATCH, null means "leave as is".</summary>
public sealed record AgentInput(
    string? Name = null, string? Language = null, string? SystemPrompt = null, string? Voice = null, string? LlmModel = null,
    int? TopK = null, double? MinSimilarity = null, bool? Hybrid = null, bool? Active = null);
