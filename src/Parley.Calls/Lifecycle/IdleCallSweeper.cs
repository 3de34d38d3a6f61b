using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Transactional.Billing;

namespace Parley.Calls.Lifecycle;

/// <summary>
/// Ends the calls a platform never ended: every <see cref="CallOptions.IdleSweepSeconds"/>, a call with
/// no turn for <see cref="CallOptions.IdleTimeoutSeconds"/> is ended at its last turn (its start when it
/// had none) and its seconds are billed, as <c>/end</c> would have. Billing up to the last activity
/// rather than to the sweep charges no idle minutes nobody used. One process sweeps at a time
/// (<see cref="LeaderElection"/>, tried per tick); the update takes only calls still active, so a
/// late <c>/end</c> racing the sweep bills the call once (CallService.EndAsync does the same).
/// </summary>
public sealed partial class IdleCallSweeper(
    [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource,
    IOptions<CallOptions> options,
    TimeProvider time,
    ILogger<IdleCallSweeper> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.IdleTimeoutSeconds == 0
        ? Task.CompletedTask
        : PeriodicWork.RunAsync(TimeSpan.FromSeconds(options.Value.IdleSweepSeconds), time, ct => SweepOnceAsync(ct), e => SweepFailed(logger, e), stoppingToken);

    /// <summary>One sweep now: the calls ended and billed, or null when another process leads.</summary>
    public async Task<int?> SweepOnceAsync(CancellationToken cancellationToken)
    {
        // Every account's calls: the sweep spans tenants, the rows carry their accounts.
        await using var leader = await dataSource.TryLeadAsync(SingletonJob.IdleCalls, TenantScope.Platform, cancellationToken);
        if (leader is null)
        {
            return null;
        }
        var idleSince = time.GetUtcNow().AddSeconds(-options.Value.IdleTimeoutSeconds);
        var total = 0;
        int ended;
        do
        {
            ended = await SweepBatchAsync(leader.Connection, idleSince, cancellationToken);
            total += ended;
        }
        while (ended == Batch && !cancellationToken.IsCancellationRequested);
        if (total > 0)
        {
            Swept(logger, total, options.Value.IdleTimeoutSeconds);
        }
        return total;
    }

    private static async Task<int> SweepBatchAsync(NpgsqlConnection connection, DateTimeOffset idleSince, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var accounts = new List<Guid>();
        var calls = new List<Guid>();
        var lastAt = new List<DateTimeOffset>();
        // ix_calls_active_started_at keeps this to the open calls; the turn index, to each call's turns.
        await using (var select = new NpgsqlCommand("""
            SELECT c.account_id, c.id, coalesce(t.last_at, c.started_at)
            FROM calls c
            LEFT JOIN LATERAL (SELECT max(created_at) AS last_at FROM call_turns t
                               WHERE t.account_id = c.account_id AND t.call_id = c.id) t ON true
            WHERE c.status = 'active' AND c.started_at < $1 AND coalesce(t.last_at, c.started_at) < $1
            ORDER BY c.started_at
            LIMIT $2
            FOR UPDATE OF c SKIP LOCKED
            """, connection, tx) { Parameters = { new() { Value = idleSince }, new() { Value = Batch } } })
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                accounts.Add(reader.GetGuid(0));
                calls.Add(reader.GetGuid(1));
                lastAt.Add(reader.GetFieldValue<DateTimeOffset>(2));
            }
        }
        if (calls.Count == 0)
        {
            return 0;
        }
        await using var end = new NpgsqlCommand("""
            WITH ended AS (
                UPDATE calls c
                SET status = 'ended', ended_at = v.last_at, recent_turns = '[]',
                    duration_seconds = round(extract(epoch FROM v.last_at - c.started_at), 3)::float8
                FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::uuid[]) AS v(account_id, id, last_at, usage_id)
                WHERE c.account_id = v.account_id AND c.id = v.id AND c.status = 'active'
                RETURNING c.account_id, c.id, c.ended_at, c.duration_seconds, v.usage_id
            )
            INSERT INTO usage_records (account_id, id, kind, quantity, occurred_at, call_id)
            SELECT account_id, usage_id, $5, duration_seconds::numeric, ended_at, id FROM ended
            """, connection, tx)
        {
            Parameters =
            {
                new() { Value = accounts.ToArray() }, new() { Value = calls.ToArray() }, new() { Value = lastAt.ToArray() },
                new() { Value = calls.Select(_ => Guid.CreateVersion7()).ToArray() }, new() { Value = BillingService.CallSeconds },
            },
        };
        var billed = await end.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return billed;
    }

    [LoggerMessage(EventId = 1721, Level = LogLevel.Information, Message = "Ended and billed {Calls} calls idle for {IdleTimeoutSeconds} s")]
    private static partial void Swept(ILogger logger, int calls, int idleTimeoutSeconds);

    [LoggerMessage(EventId = 1722, Level = LogLevel.Warning, Message = "The idle call sweep failed; it is tried again next tick")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
