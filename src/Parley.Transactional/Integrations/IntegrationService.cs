using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Integrations;

/// <summary>Create or change an integration; secrets are write-only.</summary>
public sealed record IntegrationInput(string? Kind = null, string? Name = null, JsonElement? Settings = null, JsonElement? Secrets = null);

public sealed class IntegrationService(ParleyDbContext db, ITenantContext tenant, TimeProvider time, IDataProtectionProvider protection)
{
    public static readonly string[] Kinds = ["telephony", "webhook", "crm", "vapi"];
    internal const string SecretsPurpose = "Parley.Integrations.Secrets.v1";
    private readonly IDataProtector _protector = protection.CreateProtector(SecretsPurpose);

    public async Task<Integration> CreateAsync(IntegrationInput input, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var integration = new Integration { AccountId = tenant.Scope.RequireAccount(), Id = Guid.CreateVersion7(), Kind = "", Name = "", CreatedAt = now, UpdatedAt = now };
        Apply(integration, input, creating: true);
        db.Integrations.Add(integration);
        await db.SaveChangesAsync(cancellationToken);
        return integration;
    }

    public async Task<Integration> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Integrations.FirstOrDefaultAsync(i => i.AccountId == account && i.Id == id, cancellationToken)
            ?? throw new NotFoundException("Integration");
    }

    public async Task<Page<Integration>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var rows = await db.Integrations.AsNoTracking()
            .Where(i => i.AccountId == account && (page.After == null || i.Id > page.After))
            .OrderBy(i => i.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(rows, page, i => i.Id);
    }

    public async Task<Integration> UpdateAsync(Guid id, IntegrationInput input, CancellationToken cancellationToken)
    {
        var integration = await GetAsync(id, cancellationToken);
        Apply(integration, input, creating: false);
        integration.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return integration;
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        db.Integrations.Remove(await GetAsync(id, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The decrypted secrets, for the code that calls the integration (never for the API).</summary>
    public string? RevealSecrets(Integration integration) =>
        integration.ProtectedSecrets is null ? null : _protector.Unprotect(integration.ProtectedSecrets);

    private void Apply(Integration integration, IntegrationInput input, bool creating)
    {
        new Validation()
            .Require(!creating || input.Kind is not null, "kind", "kind is required.")
            .Require(input.Kind is null || Kinds.Contains(input.Kind), "kind", "kind must be telephony, webhook, crm or vapi.")
            .Text(input.Name, "name", 200, required: creating)
            .Require(input.Settings is null || input.Settings.Value.ValueKind is JsonValueKind.Object, "settings", "settings must be a JSON object.")
            .Require(input.Secrets is null || input.Secrets.Value.ValueKind is JsonValueKind.Object, "secrets", "secrets must be a JSON object.")
            .Require(JsonLimits.Fits(input.Settings, JsonLimits.SettingsBytes), "settings", $"settings are larger than {JsonLimits.SettingsBytes} bytes.")
            .Require(JsonLimits.Fits(input.Secrets, JsonLimits.SettingsBytes), "secrets", $"secrets are larger than {JsonLimits.SettingsBytes} bytes.")
            .ThrowIfInvalid();
        integration.Kind = input.Kind ?? integration.Kind;
        integration.Name = input.Name?.Trim() ?? integration.Name;
        if (input.Settings is { } s)
        {
            integration.Settings = s.GetRawText();
        }
        if (input.Secrets is { } secrets)
        {
            integration.ProtectedSecrets = _protector.Protect(secrets.GetRawText());
        }
    }
}
