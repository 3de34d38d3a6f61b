using Parley.Domain;

namespace Parley.Transactional.Calls;

/// <summary>One phone call of one agent.</summary>
public sealed class Call
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid? ContactId { get; set; }
    /// <summary><c>in</c> or <c>out</c>.</summary>
    public string Direction { get; set; } = "in";
    /// <summary><c>active</c>, <c>ended</c>.</summary>
    public string Status { get; set; } = "active";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double? DurationSeconds { get; set; }
}
