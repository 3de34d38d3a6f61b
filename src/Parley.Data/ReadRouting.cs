using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// Picks the pool for a tenant's vector read. Standbys replay the primary's WAL a little behind it, so
/// an account that has just written (ingested or deleted a document) reads from the primary for a
/// short window; everyone else reads from the standbys. The window is per process: a write through
/// another server process is seen on a standby once replayed (typically milliseconds on a LAN).
/// </summary>
public sealed class ReadRouting(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource primary,
    [FromKeyedServices(DataSourceKeys.VectorRead)] NpgsqlDataSource read,
    IOptions<DatabaseOptions> options,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<AccountId, long> _lastWrite = new();

    public bool HasReplicas => !ReferenceEquals(primary, read);

    public void MarkWritten(AccountId account) => _lastWrite[account] = time.GetTimestamp();

    public NpgsqlDataSource For(AccountId account)
    {
        if (!HasReplicas)
        {
            return primary;
        }
        return _lastWrite.TryGetValue(account, out var at) &&
               time.GetElapsedTime(at) < TimeSpan.FromSeconds(options.Value.ReadYourWritesSeconds)
            ? primary
            : read;
    }
}
