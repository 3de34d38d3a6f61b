using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Domain;

namespace Parley.Data.Writers;

/// <summary>
/// The <c>dead_letters</c> table (migration <c>DeadLetters</c>): records the batching writers set aside.
/// Written across accounts under the platform scope; each row carries its account, row-level security
/// checks it, and deleting an account deletes its dead letters.
/// </summary>
public sealed class DeadLetterStore([FromKeyedServices(DataSourceKeys.Transactional)] NpgsqlDataSource dataSource, DataMetrics metrics)
{
    /// <summary>What became of a record handed to <see cref="AddAsync"/>.</summary>
    public enum Outcome
    {
        /// <summary>Set aside now.</summary>
        Stored,
        /// <summary>Already set aside (a replay of the same record).</summary>
        AlreadyStored,
        /// <summary>Its account no longer exists: there is nobody to keep it for.</summary>
        AccountGone,
    }

    /// <summary>Sets a record aside; throws only when the database itself fails (the caller retries).</summary>
    public async Task<Outcome> AddAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        var insert = batch.Add(new NpgsqlBatchCommand("""
            INSERT INTO dead_letters (account_id, id, kind, payload, error, sql_state, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT DO NOTHING
            """)
        {
            Parameters =
            {
                new() { Value = letter.Account.Value },
                new() { Value = letter.Id },
                new() { Value = letter.Kind },
                // Payloads are JSON (control characters escaped); the error text is the driver's and
                // may quote the offending value, so it is cleaned like any text from outside.
                new() { Value = ControlCharacters.Strip(letter.Payload) },
                new() { Value = ControlCharacters.Strip(letter.Error) },
                new() { Value = (object?)letter.SqlState ?? DBNull.Value },
                new() { Value = letter.At },
            },
        });
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
            if (insert.RecordsAffected == 0)
            {
                return Outcome.AlreadyStored;
            }
            metrics.DeadLettered(letter.Kind);
            return Outcome.Stored;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Outcome.AccountGone;
        }
    }

    /// <summary>Counts per kind and the latest <paramref name="recent"/> records, every account (the platform's view).</summary>
    public async Task<DeadLetterSummary> SummaryAsync(int recent, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT kind, count(*), max(created_at) FROM dead_letters GROUP BY kind ORDER BY kind"));
        batch.Add(new NpgsqlBatchCommand("""
            SELECT account_id, id, kind, error, sql_state, created_at, left(payload, 500)
            FROM dead_letters ORDER BY created_at DESC LIMIT $1
            """)
        {
            Parameters = { new() { Value = recent } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var kinds = new List<DeadLetterKind>();
        while (await reader.ReadAsync(cancellationToken))
        {
            kinds.Add(new DeadLetterKind(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        var entries = new List<DeadLetterEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new DeadLetterEntry(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6)));
        }
        return new DeadLetterSummary(kinds.Sum(k => k.Count), kinds, entries);
    }
}
