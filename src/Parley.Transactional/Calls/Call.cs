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
}
