namespace Parley.Data.Writers;

/// <summary>One record set aside, as listed in <see cref="DeadLetterSummary"/>.</summary>
public sealed record DeadLetterEntry(Guid AccountId, Guid Id, string Kind, string Error, string? SqlState, DateTimeOffset At, string Payload);
