using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.ApiKeys;

/// <summary>A key as shown once, at creation.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>Creates, lists, revokes and checks tenant API keys (format <c>pk_&lt;prefix&gt;_&lt;secret&gt;</c>).</summary>
public sealed class ApiKeyService(ParleyDbContext db, ITenantContext tenant, ApiKeyAuthenticator authenticator, TimeProvider time)
{
    public static byte[] HashOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// A new key of <paramref name="account"/>. A key mints only scopes it holds itself
    /// (<paramref name="minterScopes"/>; a 403 names the first it lacks), and a key asked for without
    /// scopes gets the minter's, so no key ever widens its own rights.
    /// </summary>
    public async Task<CreatedApiKey> CreateAsync(AccountId account, string? name, string[]? scopes, DateTimeOffset? expiresAt,
        IReadOnlyCollection<string> minterScopes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var unknown = scopes?.FirstOrDefault(s => !ApiKeyScopes.IsKnown(s));
        new Validation()
            .Text(name ?? "default", "name", 100)
            .Require(unknown is null, "scopes", $"Unknown scope '{unknown}'; the scopes are {string.Join(", ", ApiKeyScopes.Known)}.")
            .Require(scopes is null || scopes.Length <= ApiKeyScopes.Known.Count, "scopes", "Too many scopes.")
            .Require(expiresAt is null || expiresAt > now, "expiresAt", "expiresAt must be in the future.")
            .ThrowIfInvalid();
        var granted = scopes is { Length: > 0 } ? scopes.Distinct(StringComparer.Ordinal).ToArray() : [.. minterScopes];
        if (ApiKeyScopes.FirstNotGranted(minterScopes, granted) is { } missing)
        {
            throw new ForbiddenException($"A key can only mint keys with scopes it holds; this one lacks '{missing}'.", missing);
        }
        var prefix = "pk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var secret = $"{prefix}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant()}";
        var key = new ApiKey
        {
            AccountId = account,
            Id = Guid.CreateVersion7(),
            Name = name ?? "default",
            Prefix = prefix,
            Hash = HashOf(secret),
            Scopes = granted,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        // Known here at once; other processes know it when the insert's notification reaches them (milliseconds).
        authenticator.Created(prefix);
        return new CreatedApiKey(key, secret);
    }

    public async Task<Page<ApiKey>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var items = await db.ApiKeys.AsNoTracking()
            .Where(k => k.AccountId == account && (page.After == null || k.Id > page.After))
            .OrderBy(k => k.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(items, page, k => k.Id);
    }

    public async Task<ApiKey> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.AccountId == account && k.Id == id, cancellationToken)
            ?? throw new NotFoundException("API key");
        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }
}
