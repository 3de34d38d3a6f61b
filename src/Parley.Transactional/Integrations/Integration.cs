using Parley.Domain;

namespace Parley.Transactional.Integrations;

/// <summary>
/// A connection to the outside (telephony, webhook, CRM). Settings are plain JSON; secrets are
/// encrypted at rest with ASP.NET Core Data Protection and never returned.
/// </summary>
public sealed class Integration
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    /// <summary><c>telephony</c>, <c>webhook</c>, <c>crm</c> or <c>vapi</c> (a Vapi custom knowledge base).</summary>
    public required string Kind { get; set; }
    public required string Name { get; set; }
    public string Settings { get; set; } = "{}";
    public string? ProtectedSecrets { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
