using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Monitoring.Alerts;

/// <summary>
/// The design's LatencyMonitorService: every <c>IntervalSeconds</c> it looks at each account's window of
/// per-search records; an average or p95 search time above <c>ThresholdMs</c> (over at least
/// <c>MinSearches</c> searches) raises HIGH_LATENCY, stored once (a partial unique index keeps one open
/// alert per account and type), resolved when a later check no longer sees the breach, and posted to
/// the webhook until it is accepted. One process checks at a time (<see cref="LeaderElection"/>, tried
/// per tick), so a second server skips the tick instead of doubling alerts or posts.
/// </summary>
public sealed class LatencyMonitorService(
    [FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource,
    AlertStore alerts,
    AlertWebhook webhook,
    MonitoringMetrics metrics,
    IOptions<MonitorOptions> options,
    TimeProvider time,
    ILogger<LatencyMonitorService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !options.Value.Enabled
        ? Task.CompletedTask
        : PeriodicWork.RunAsync(TimeSpan.FromSeconds(options.Value.IntervalSeconds), time, ct => CheckOnceAsync(ct), e => LogMessages.CheckFailed(logger, e), stoppingToken);

    /// <summary>One check now: evaluate every account, raise and resolve alerts, prune old records, deliver pending posts.</summary>
    public async Task<MonitorCheck> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Every account's window at once: the check spans tenants, the rows carry their accounts.
        await using var leader = await dataSource.TryLeadAsync(SingletonJob.LatencyMonitor, TenantScope.Platform, cancellationToken);
        if (leader is null)
        {
            LogMessages.NotLeader(logger);
            return MonitorCheck.Skipped;
        }
        var (accounts, raised, resolved) = await EvaluateAsync(leader.Connection, cancellationToken);
        var pruned = await PruneAsync(leader.Connection, cancellationToken);
        var delivered = await DeliverAsync(cancellationToken);
        metrics.Checked(Stopwatch.GetElapsedTime(started));
        return new MonitorCheck(true, accounts, raised, resolved, delivered, pruned);
    }

    private async Task<(int Accounts, List<Alert> Raised, List<Alert> Resolved)> EvaluateAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);

        var breaches = new Dictionary<Guid, double>();
        var accounts = 0;
        await using (var cmd = new NpgsqlCommand("""
            SELECT account_id, count(*), avg(search_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY search_ms)
            FROM search_records WHERE occurred_at > $1
            GROUP BY account_id
            """, conn, tx) { Parameters = { new() { Value = now - Window.Parse(o.Window) } } })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                accounts++;
                var (count, average, p95) = (reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3));
                if (count >= o.MinSearches && (average > o.ThresholdMs || p95 > o.ThresholdMs))
                {
                    // The design reports the average; when only the tail is slow, the p95 is the news.
                    breaches[reader.GetGuid(0)] = average > o.ThresholdMs ? average : p95;
                }
            }
        }

        var open = new List<Alert>();
        await using (var cmd = new NpgsqlCommand($"SELECT {AlertStore.Columns} FROM alerts WHERE type = $1 AND resolved_at IS NULL", conn, tx)
        {
            Parameters = { new() { Value = Alert.HighLatency } },
        })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            open.AddRange(await AlertStore.ReadAllAsync(reader, cancellationToken));
        }

        var raised = new List<Alert>();
        foreach (var (account, valueMs) in breaches.Where(b => open.All(a => a.AccountId != b.Key)))
        {
            var message = $"RAG search latency: {Math.Round(valueMs).ToString(CultureInfo.InvariantCulture)} ms";
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO alerts (account_id, id, type, severity, message, value_ms, raised_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (account_id, type) WHERE resolved_at IS NULL DO NOTHING
                RETURNING {AlertStore.Columns}
                """, conn, tx)
            {
                Parameters =
                {
                    new() { Value = account }, new() { Value = Guid.CreateVersion7(now) }, new() { Value = Alert.HighLatency },
                    new() { Value = Alert.Warning }, new() { Value = message }, new() { Value = Math.Round(valueMs, 3) }, new() { Value = now },
                },
            };
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            raised.AddRange(await AlertStore.ReadAllAsync(reader, cancellationToken));
        }

        var resolved = new List<Alert>();
        foreach (var alert in open.Where(a => !breaches.ContainsKey(a.AccountId)))
        {
            await using var update = new NpgsqlCommand("UPDATE alerts SET resolved_at = $3 WHERE account_id = $1 AND id = $2 AND resolved_at IS NULL", conn, tx)
            {
                Parameters = { new() { Value = alert.AccountId }, new() { Value = alert.Id }, new() { Value = now } },
            };
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                resolved.Add(alert with { ResolvedAt = now });
            }
        }
        await tx.CommitAsync(cancellationToken);

        foreach (var a in raised)
        {
            metrics.Raised(new AccountId(a.AccountId), a.Type);
            LogMessages.AlertRaised(logger, a.Id, a.AccountId, a.Message);
        }
        foreach (var a in resolved)
        {
            metrics.Resolved(new AccountId(a.AccountId), a.Type);
            LogMessages.AlertResolved(logger, a.Id, a.AccountId);
        }
        return (accounts, raised, resolved);
    }

    /// <summary>Deletes records past the retention (the age index serves it); each tick removes about one interval's worth.</summary>
    private async Task<int> PruneAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var hours = options.Value.RetentionHours;
        await using var cmd = new NpgsqlCommand("DELETE FROM search_records WHERE occurred_at < $1", conn)
        {
            Parameters = { new() { Value = time.GetUtcNow().AddHours(-hours) } },
        };
        var deleted = await cmd.ExecuteNonQueryAsync(cancellationToken);
        if (deleted > 0)
        {
            LogMessages.Pruned(logger, deleted, hours);
        }
        return deleted;
    }

    private async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        if (!webhook.Configured)
        {
            return 0;
        }
        var delivered = 0;
        // Openings first, then the closings of alerts whose opening went out: a receiver never hears of
        // a resolution before the alert it resolves.
        var raised = (await alerts.UndeliveredAsync(cancellationToken)).Select(a => (Alert: a, Resolution: false));
        var resolutions = (await alerts.UndeliveredResolutionsAsync(cancellationToken)).Select(a => (Alert: a, Resolution: true));
        foreach (var (alert, resolution) in raised.Concat(resolutions).ToList())
        {
            try
            {
                await webhook.SendAsync(resolution ? alert : alert with { ResolvedAt = null }, resolution ? AlertWebhook.ResolvedEvent : AlertWebhook.RaisedEvent, cancellationToken);
                await (resolution ? alerts.MarkResolutionDeliveredAsync(alert, cancellationToken) : alerts.MarkDeliveredAsync(alert, cancellationToken));
                metrics.Delivered(ok: true);
                delivered++;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException
                                      && !cancellationToken.IsCancellationRequested)
            {
                metrics.Delivered(ok: false);
                LogMessages.DeliveryFailed(logger, alert.Id, e);
            }
        }
        return delivered;
    }
}
