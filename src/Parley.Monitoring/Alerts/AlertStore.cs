using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Monitoring.Alerts;

/// <summary>Reads and updates the <c>alerts</c> table on the raw driver; every query carries its tenant scope.</summary>
public sealed class AlertStore([FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource, TimeProvider time)
{
    public const int MaxLimit = 1000;

    internal const string Columns = "id, type, severity, message, account_id, raised_at, resolved_at, value_ms, delivered_at";

    /// <summary>
    /// The scope's alerts, newest first: a tenant sees its own; the platform scope sees every account's.
    /// Row-level security enforces the same, the WHERE clause lets the index serve it.
    /// </summary>
    public async Task<IReadOnlyList<Alert>> ListAsync(TenantScope scope, bool? open, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
        {
            throw new InvalidRequestException("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        await using var batch = dataSource.ForTenant(scope).CreateBatch();
        batch.Add(new NpgsqlBatchCommand($"""
            SELECT {Columns} FROM alerts
            WHERE ($1::uuid IS NULL OR account_id = $1)
              AND ($2::boolean IS NULL OR (resolved_at IS NULL) = $2)
            ORDER BY raised_at DESC, id DESC
            LIMIT $3
            """)
        {
            Parameters =
            {
                new() { Value = (object?)scope.Account?.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
                new() { Value = (object?)open ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean },
                new() { Value = take },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadAllAsync(reader, cancellationToken);
    }

    /// <summary>Alerts the webhook has not accepted yet, oldest first (raised within the last day: older news is stale).</summary>
    internal Task<IReadOnlyList<Alert>> UndeliveredAsync(CancellationToken cancellationToken) =>
        DueForWebhookAsync("delivered_at IS NULL AND raised_at > $1", "raised_at", cancellationToken);

    /// <summary>Resolved alerts whose opening the webhook accepted but whose resolution it has not, oldest first.</summary>
    internal Task<IReadOnlyList<Alert>> UndeliveredResolutionsAsync(CancellationToken cancellationToken) =>
        DueForWebhookAsync("resolved_at IS NOT NULL AND delivered_at IS NOT NULL AND resolution_delivered_at IS NULL AND resolved_at > $1", "resolved_at", cancellationToken);

    internal Task MarkDeliveredAsync(Alert alert, CancellationToken cancellationToken) => MarkAsync(alert, "delivered_at", cancellationToken);

    internal Task MarkResolutionDeliveredAsync(Alert alert, CancellationToken cancellationToken) => MarkAsync(alert, "resolution_delivered_at", cancellationToken);

    // Both conditions are constants of this class, never input: only $1 (a day ago) is a value.
    private async Task<IReadOnlyList<Alert>> DueForWebhookAsync(string condition, string order, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand($"SELECT {Columns} FROM alerts WHERE {condition} ORDER BY {order} LIMIT 100")
        {
            Parameters = { new() { Value = time.GetUtcNow().AddDays(-1) } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadAllAsync(reader, cancellationToken);
    }

    private async Task MarkAsync(Alert alert, string column, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(new AccountId(alert.AccountId)).CreateBatch();
        batch.Add(new NpgsqlBatchCommand($"UPDATE alerts SET {column} = $3 WHERE account_id = $1 AND id = $2")
        {
            Parameters = { new() { Value = alert.AccountId }, new() { Value = alert.Id }, new() { Value = time.GetUtcNow() } },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<List<Alert>> ReadAllAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var alerts = new List<Alert>();
        while (await reader.ReadAsync(cancellationToken))
        {
            alerts.Add(Read(reader));
        }
        return alerts;
    }

    internal static Alert Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetGuid(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        r.IsDBNull(7) ? null : r.GetDouble(7),
        r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));
}
