using Parley.Domain;

namespace Parley.Data.Writers;

/// <summary>
/// A record a batching writer could not store because of the record itself (a value PostgreSQL
/// refuses, a broken constraint), set aside with the error so the batch around it lands.
/// </summary>
/// <param name="Id">The record's own id: setting the same record aside twice (a replayed spool) keeps one row.</param>
/// <param name="Kind">What the record is: <c>call_turn</c>, <c>usage_record</c>, <c>search_record</c>.</param>
/// <param name="Payload">The record as JSON text, escapes kept, so it can be mended and replayed.</param>
public sealed record DeadLetter(AccountId Account, Guid Id, string Kind, string Payload, string Error, string? SqlState, DateTimeOffset At);
