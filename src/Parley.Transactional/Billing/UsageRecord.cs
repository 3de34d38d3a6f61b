using Parley.Domain;

namespace Parley.Transactional.Billing;

/// <summary>
/// Metered usage: <c>call_seconds</c>, <c>embedding_tokens</c> (turns' questions and ingested chunks),
/// <c>llm_tokens</c>, <c>asr_seconds</c> (speech recognised) or <c>tts_characters</c> (answers spoken).
/// </summary>
public sealed class UsageRecord
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public decimal Quantity { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? CallId { get; set; }
}
