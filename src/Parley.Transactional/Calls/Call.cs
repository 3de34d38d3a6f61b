using Parley.Domain;

namespace Parley.Transactional.Calls;

/// <summary>One phone call of one agent.</summary>
public sealed class Call
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid? ContactId { get; set; }
    public CallDirection Direction { get; set; } = CallDirection.In;
    public CallStatus Status { get; set; } = CallStatus.Active;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double? DurationSeconds { get; set; }

    /// <summary>
    /// The voice platform's own id of the call (Vapi's call id, an OpenAI <c>user</c>), when the call was
    /// made on first sight of it; unique per account, so the platform's next request finds the same call.
    /// </summary>
    public string? ExternalId { get; set; }
}
