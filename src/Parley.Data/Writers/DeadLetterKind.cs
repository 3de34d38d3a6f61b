namespace Parley.Data.Writers;

/// <summary>One kind of record in <see cref="DeadLetterSummary"/>: how many were set aside, the latest when.</summary>
public sealed record DeadLetterKind(string Kind, long Count, DateTimeOffset LatestAt);
