using Parley.Domain;

namespace Parley.Transactional.ApiKeys;

/// <summary>
/// A tenant's API key. Only the SHA-256 of the key is stored; the full key is shown once, at creation.
/// The prefix is the visible, non-secret part that lets people tell their keys apart.
/// </summary>
public sealed class ApiKey
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public string[] Scopes { get; set; } = ["*"];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>After this instant the key no longer authenticates; null: it does not expire.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
