using Parley.Domain;

namespace Parley.Transactional.Contacts;

/// <summary>Someone who calls or is called; the phone number (E.164) is unique within the account.</summary>
public sealed class Contact
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public required string Phone { get; set; }
    public string Name { get; set; } = "";
    /// <summary>JSON object (jsonb).</summary>
    public string Metadata { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}
