using Parley.Domain;

namespace Parley.Transactional.Accounts;

/// <summary>The tenant. Its language picks the text-search configuration of its knowledge base.</summary>
public sealed class Account
{
    public AccountId Id { get; set; }
    public required string Name { get; set; }
    public string Plan { get; set; } = "starter";
    /// <summary>A PostgreSQL text search configuration name: <c>english</c>, <c>spanish</c>, <c>simple</c>…</summary>
    public string Language { get; set; } = "english";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
