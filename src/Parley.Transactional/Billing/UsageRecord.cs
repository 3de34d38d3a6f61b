using Parley.Domain;

namespace Parley.Transactional.Billing;

/// <summary>Metered usage: <c>call_seconds</c>, <c>embedding_tokens</c> or <c>llm_tokens</c>.</summary>
public sealed class UsageRecord
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public decimal Quantity { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? CallId { get; set; }
}
