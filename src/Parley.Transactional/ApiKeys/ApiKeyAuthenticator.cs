using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.ApiKeys;

/// <summary>
/// Turns a bearer key into the account it belongs to. Looked up under the platform scope (the caller's
/// tenant is what we are finding out), then cached for a minute so a phone turn does not pay a
/// database round trip for auth; revoking through this process evicts at once, other processes
/// within the minute.
/// </summary>
public sealed class ApiKeyAuthenticator(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    public async Task<AccountId?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (!key.StartsWith("pk_", StringComparison.Ordinal) || key.Length > 200)
        {
            return null;
        }
        var hash = Convert.ToHexString(ApiKeyService.HashOf(key));
        if (cache.TryGetValue(CacheKey(hash), out AccountId? cached))
        {
            return cached;
        }
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        var bytes = Convert.FromHexString(hash);
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Hash == bytes, cancellationToken);
        AccountId? account = null;
        if (row is not null && row.RevokedAt is null)
        {
            account = row.AccountId;
            row.LastUsedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
        cache.Set(CacheKey(hash), account, CacheFor);
        return account;
    }

    public void Forget(byte[] hash) => cache.Remove(CacheKey(Convert.ToHexString(hash)));

    private static string CacheKey(string hash) => "parley-apikey:" + hash;
}
