using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Integrations;

/// <summary>
/// Finds an integration by its id alone, for a platform that calls Parley without an API key (Vapi's
/// knowledge-base webhook): the integration's secret is what authenticates, and its account becomes the
/// request's tenant. Looked up under the platform scope (the tenant is what we are finding out), then
/// kept for half a minute: the webhook is asked for ~50 ms and must not pay a round trip and a
/// decryption per request. A changed secret takes effect within that half minute.
/// </summary>
public sealed class IntegrationCredentialLookup(IServiceScopeFactory scopes, IMemoryCache cache, IDataProtectionProvider protection)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly IDataProtector _protector = protection.CreateProtector(IntegrationService.SecretsPurpose);

    /// <summary>The integration of that id and kind, or null when there is none (any account).</summary>
    public async Task<IntegrationCredentials?> FindAsync(Guid id, string kind, CancellationToken cancellationToken)
    {
        var key = "parley-integration:" + id.ToString("N");
        if (!cache.TryGetValue(key, out IntegrationCredentials? found))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
            var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
            var row = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
            found = row is null ? null : new IntegrationCredentials(
                row.AccountId, row.Id, row.Kind, row.ProtectedSecrets is null ? null : _protector.Unprotect(row.ProtectedSecrets), row.Settings);
            cache.Set(key, found, CacheFor);
        }
        return found is not null && found.Kind == kind ? found : null;
    }
}
