using Parley.Domain;

namespace Parley.Transactional.Users;

/// <summary>A person who can sign in to an account's tools. Email is unique within the account.</summary>
public sealed class User
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public string Name { get; set; } = "";
    /// <summary><c>owner</c>, <c>admin</c> or <c>member</c>.</summary>
    public string Role { get; set; } = "member";
    public DateTimeOffset CreatedAt { get; set; }
}
