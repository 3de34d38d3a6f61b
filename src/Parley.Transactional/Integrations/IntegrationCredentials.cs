using Parley.Domain;

namespace Parley.Transactional.Integrations;

/// <summary>What a platform's call to Parley is checked against: whose integration it is, its secrets (JSON), its settings (JSON).</summary>
public sealed record IntegrationCredentials(AccountId Account, Guid IntegrationId, string Kind, string? Secrets, string Settings);
