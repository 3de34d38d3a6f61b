using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Knowledge.Search;

/// <summary>
/// Warms a tenant's knowledge when one of its calls starts, so the call's first search reads memory, not
/// disk (after a restart, or for a tenant whose pages other tenants pushed out). Asked by
/// <see cref="Request"/>, which never waits: the warm runs on this service's one loop, one at a time (a
/// burst of call starts takes one connection of the pool, never twenty), from a queue that drops what
/// it cannot hold. At most one warm per tenant per <see cref="KnowledgeOptions.WarmMinutes"/> in this
/// process, remembered for <see cref="KnowledgeOptions.WarmTrackedTenants"/> tenants at most. It runs in
/// the tenant's scope, on the pool its searches use (<see cref="ReadRouting"/>), through
/// <c>parley_warm_tenant()</c> (migration <c>TenantWarm</c> says what it reads and why). A failure is
/// logged and counted, never the call's.
/// </summary>
public sealed partial class TenantWarmer(
    ReadRouting routing,
    IOptions<KnowledgeOptions> options,
    KnowledgeMetrics metrics,
    TimeProvider time,
    ILogger<TenantWarmer> logger) : BackgroundService
{
    /// <summary>Warms waiting at most; past it a call start's warm is dropped (and asked again by the tenant's next call).</summary>
    public const int QueueCapacity = 256;

    private readonly Channel<AccountId> _queue = Channel.CreateBounded<AccountId>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Dictionary<AccountId, long> _lastAsked = [];
    private readonly Lock _gate = new();

    /// <summary>Queues a warm of the tenant unless one was asked within the window; true when queued. Never throws, never waits.</summary>
    public bool Request(AccountId account)
    {
        var o = options.Value;
        if (o.WarmMinutes == 0)
        {
            return false;
        }
        var window = TimeSpan.FromMinutes(o.WarmMinutes);
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_lastAsked.TryGetValue(account, out var at) && time.GetElapsedTime(at, now) < window)
            {
                metrics.Warmed(account, "skipped");
                return false;
            }
            if (!_lastAsked.ContainsKey(account) && _lastAsked.Count >= o.WarmTrackedTenants)
            {
                Forget(now, window);
            }
            _lastAsked[account] = now;
        }
        if (_queue.Writer.TryWrite(account))
        {
            return true;
        }
        lock (_gate)
        {
            _lastAsked.Remove(account);
        }
        metrics.Warmed(account, "dropped");
        return false;
    }

    /// <summary>Makes room: the entries past the window, or when none is, the oldest. Under the lock; runs only when full.</summary>
    private void Forget(long now, TimeSpan window)
    {
        var expired = _lastAsked.Where(e => time.GetElapsedTime(e.Value, now) >= window).Select(e => e.Key).ToList();
        if (expired.Count == 0)
        {
            expired.Add(_lastAsked.MinBy(e => e.Value).Key);
        }
        foreach (var key in expired)
        {
            _lastAsked.Remove(key);
        }
    }

    /// <summary>Warms the tenant now, in its scope, and says what was read (the bench calls it directly).</summary>
    public async Task<TenantWarmth> WarmAsync(AccountId account, CancellationToken cancellationToken)
    {
        // A session-scoped connection rather than a batch, for a timeout of its own: an index of a large
        // tenant takes a while to read from disk, and no turn waits on this.
        await using var connection = await routing.For(account).ForTenant(account).OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT kind, blocks, tuples FROM parley_warm_tenant()", connection) { CommandTimeout = 120 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TenantWarmth(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var account in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var started = time.GetTimestamp();
                try
                {
                    var warmth = await WarmAsync(account, stoppingToken);
                    var elapsed = time.GetElapsedTime(started);
                    metrics.Warmed(account, warmth.Outcome, elapsed);
                    LogWarmed(logger, account.Value, warmth.Kind, warmth.Blocks ?? warmth.Tuples ?? 0, elapsed.TotalMilliseconds);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    metrics.Warmed(account, "failed", time.GetElapsedTime(started));
                    LogFailed(logger, account.Value, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the warms still queued are of no use to anyone.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warmed the knowledge of account {AccountId}: {Kind}, {Count} blocks or rows in {Milliseconds} ms")]
    private static partial void LogWarmed(ILogger logger, Guid accountId, string kind, long count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the knowledge of account {AccountId} failed; its calls go on, their first search may read from disk")]
    private static partial void LogFailed(ILogger logger, Guid accountId, Exception exception);
}
