using Parley.Domain;

namespace Parley.Transactional.ApiKeys;

/// <summary>A tenant key that authenticated: its account, its id (for per-key limits), its scopes and expiry.</summary>
public sealed record AuthenticatedKey(AccountId Account, Guid KeyId, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt);
