using Parley.Domain;

namespace Parley.Transactional.Agents;

/// <summary>A phone agent: its voice, its model, and how it retrieves from the knowledge base.</summary>
public sealed class Agent
{
    public const int MaxSystemPromptLength = 20_000;

    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string Language { get; set; } = "en";
    public string SystemPrompt { get; set; } = "";
    public string Voice { get; set; } = "en-us";
    public string LlmModel { get; set; } = "local";
    public int TopK { get; set; } = 3;
    public double MinSimilarity { get; set; } = 0.3;
    public bool Hybrid { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
