using System.Security.Cryptography;
using System.Text;
using BitFaster.Caching.Lru;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.ApiKeys;

/// <summary>
/// Turns a bearer key into the account it belongs to, without a database round trip on the hot path.
/// Three bounded, in-memory answers, kept true by <see cref="ApiKeyChangeListener"/> (PostgreSQL
/// LISTEN/NOTIFY from a trigger on <c>api_keys</c>): the set of every key's prefix, so a key whose
/// prefix no key has (a flood of made-up keys) is refused with no query at all; keys that
/// authenticated; and keys that did not (a known prefix with a wrong secret, a revoked or expired key).
/// A revocation on any process evicts the key here as its NOTIFY arrives (milliseconds). While the
/// listener is not connected nothing it would have told us is trusted for more than
/// <see cref="UnlistenedTrust"/>: the prefix set is not used and cached answers are re-read.
/// </summary>
public sealed class ApiKeyAuthenticator(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>How long a cached answer is trusted while no change notification could reach us.</summary>
    public static readonly TimeSpan UnlistenedTrust = TimeSpan.FromSeconds(1);

    private const int Capacity = 10_000;
    private readonly ConcurrentLru<string, Cached> _known = new(Capacity);
    private readonly ConcurrentLru<string, Cached> _refused = new(Capacity);
    private readonly HashSet<string> _prefixes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private volatile bool _listening;
    private long _generation;
    private long _lookups;

    /// <summary>Database lookups made so far (a test and the flood benchmark read it: refusals should not add to it).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Whether change notifications are arriving, so the caches and the prefix set are trusted.</summary>
    public bool Listening => _listening;

    public async Task<AuthenticatedKey?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (PrefixOf(key) is not { } prefix)
        {
            return null;
        }
        var now = time.GetUtcNow();
        if (_listening)
        {
            lock (_gate)
            {
                if (!_prefixes.Contains(prefix))
                {
                    return null;
                }
            }
        }
        var hash = HashOf(key);
        if (_refused.TryGet(hash, out var refused) && Trusted(refused))
        {
            return null;
        }
        if (_known.TryGet(hash, out var known) && Trusted(known))
        {
            return Usable(known.Key!, now);
        }
        var generation = Interlocked.Read(ref _generation);
        var found = await LookUpAsync(Convert.FromHexString(hash), now, cancellationToken);
        var entry = new Cached(found, generation, time.GetTimestamp());
        if (found is null)
        {
            _known.TryRemove(hash);
            _refused.AddOrUpdate(hash, entry);
        }
        else
        {
            _refused.TryRemove(hash);
            _known.AddOrUpdate(hash, entry);
        }
        return found is null ? null : Usable(found, now);
    }

    /// <summary>Evicts a key whose row changed (revoked, expiry or scopes changed, deleted), given its SHA-256.</summary>
    public void Forget(byte[] hash) => Forget(Convert.ToHexStringLower(hash));

    internal void Forget(string hashHex)
    {
        // A lookup already under way may have read the row before the change: the new generation
        // keeps what it caches from being trusted.
        Interlocked.Increment(ref _generation);
        _known.TryRemove(hashHex);
        _refused.TryRemove(hashHex);
    }

    /// <summary>A key was created (on any process): its prefix may now authenticate.</summary>
    public void Created(string prefix)
    {
        lock (_gate)
        {
            _prefixes.Add(prefix);
        }
    }

    /// <summary>The listener is connected and has read every prefix after its LISTEN: the caches are trusted again.</summary>
    internal void Listen(IEnumerable<string> prefixes)
    {
        lock (_gate)
        {
            _prefixes.Clear();
            _prefixes.UnionWith(prefixes);
            // Answers cached before the listener (re)connected may have missed a notification.
            Interlocked.Increment(ref _generation);
            _listening = true;
        }
    }

    /// <summary>The listener lost its connection: nothing cached is trusted past <see cref="UnlistenedTrust"/>.</summary>
    internal void Deaf()
    {
        lock (_gate)
        {
            _listening = false;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary><c>pk_&lt;prefix&gt;_&lt;secret&gt;</c>, the prefix as stored (at most 32 characters), or null for anything else.</summary>
    internal static string? PrefixOf(string key)
    {
        if (key.Length is < 20 or > 200 || !key.StartsWith("pk_", StringComparison.Ordinal))
        {
            return null;
        }
        var end = key.IndexOf('_', 3);
        return end is > 3 and <= 32 && key.Length - end > 16 ? key[..end] : null;
    }

    private static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private bool Trusted(Cached entry) => _listening
        ? entry.Generation == Interlocked.Read(ref _generation)
        : time.GetElapsedTime(entry.Timestamp) < UnlistenedTrust;

    private static AuthenticatedKey? Usable(AuthenticatedKey key, DateTimeOffset now) =>
        key.ExpiresAt is { } expires && expires <= now ? null : key;

    private async Task<AuthenticatedKey?> LookUpAsync(byte[] hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        await using var scope = scopes.CreateAsyncScope();
        // Under the platform scope: the caller's tenant is what we are finding out.
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Hash == hash, cancellationToken);
        if (row is null || row.RevokedAt is not null || row.ExpiresAt <= now)
        {
            return null;
        }
        row.LastUsedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return new AuthenticatedKey(row.AccountId, row.Id, row.Scopes, row.ExpiresAt);
    }

    private sealed record Cached(AuthenticatedKey? Key, long Generation, long Timestamp);
}
