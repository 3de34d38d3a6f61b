using Parley.Domain;

namespace Parley.Data.Writers;

/// <summary>Whose a queued record is, its own id and its kind: what its dead letter is filed under.</summary>
public readonly record struct RecordKey(AccountId Account, Guid Id, string Kind);
