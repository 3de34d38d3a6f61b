namespace Parley.Data.Writers;

/// <summary>The dead-letter table at a glance, for <c>GET /v1/metrics/database</c> and the admin page.</summary>
/// <param name="Total">Records set aside, every kind and account.</param>
/// <param name="Kinds">Count and latest time per kind.</param>
/// <param name="Recent">The latest records set aside, newest first (payload cut to its first 500 characters).</param>
public sealed record DeadLetterSummary(long Total, IReadOnlyList<DeadLetterKind> Kinds, IReadOnlyList<DeadLetterEntry> Recent);
