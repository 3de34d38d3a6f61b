using System.Text.Json;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

/// <summary>Claiming the next job, fairly between tenants.</summary>
public sealed partial class IngestionJobStore
{
    /// <summary>
    /// Takes the next due job (a queued one whose time has come, or a running one whose worker let its
    /// lease run out), round-robin across tenants: of the tenants with a due job and fewer than
    /// <see cref="IngestionJobOptions.PerTenantConcurrency"/> jobs running under a live lease, the one
    /// served longest ago (or never) goes first, and within it the oldest job. So one tenant's 50 queued
    /// uploads delay another tenant's single upload by at most the one job already running.
    /// </summary>
    /// <remarks>
    /// Claims are serialised by a transaction-level advisory lock: the cap counts running jobs, and two
    /// workers counting at once would both see room for one more. A claim is one short statement per
    /// job, so the lock costs nothing that matters; SKIP LOCKED still keeps a claim from waiting on a
    /// job row a heartbeat holds. Who was served when is kept in <c>knowledge_job_turns</c> (one row per
    /// tenant), not derived from the job history, which grows without bound.
    /// </remarks>
    public async Task<ClaimedJob?> ClaimAsync(string worker, CancellationToken cancellationToken)
    {
        var token = $"{worker}/{Guid.NewGuid():N}";
        await using var batch = dataSource.ForTenant(TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = ClaimLock } } });
        batch.Add(new NpgsqlBatchCommand("""
            WITH busy AS (
              SELECT account_id, count(*) AS running FROM knowledge_jobs
              WHERE status = 'running' AND locked_until >= now()
              GROUP BY account_id
            ), next AS (
              SELECT j.account_id, j.id FROM knowledge_jobs j
              LEFT JOIN knowledge_job_turns t ON t.account_id = j.account_id
              LEFT JOIN busy b ON b.account_id = j.account_id
              WHERE j.status IN ('queued', 'running')
                AND ((j.status = 'queued' AND j.run_after <= now()) OR (j.status = 'running' AND j.locked_until < now()))
                AND coalesce(b.running, 0) < $3
              ORDER BY t.served_at NULLS FIRST, j.run_after, j.created_at
              LIMIT 1
              FOR UPDATE OF j SKIP LOCKED
            ), served AS (
              INSERT INTO knowledge_job_turns (account_id, served_at)
              SELECT account_id, clock_timestamp() FROM next
              ON CONFLICT (account_id) DO UPDATE SET served_at = excluded.served_at
            )
            UPDATE knowledge_jobs j
            SET status = 'running', stage = 'starting', attempts = j.attempts + 1, locked_by = $1,
                locked_until = now() + make_interval(secs => $2), started_at = coalesce(j.started_at, now()), updated_at = now(),
                error = CASE WHEN j.status = 'running' THEN 'the previous worker stopped before finishing (lease expired)' ELSE j.error END
            FROM next
            WHERE j.account_id = next.account_id AND j.id = next.id
            RETURNING j.account_id, j.id, j.attempts, j.max_attempts, j.source, j.title, j.document, j.metadata::text,
                      j.file, j.file_name, j.file_type, j.file_title
            """)
        {
            Parameters =
            {
                new() { Value = token }, new() { Value = (double)options.Value.LeaseSeconds },
                new() { Value = (long)options.Value.PerTenantConcurrency },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        JsonElement? metadata = reader.IsDBNull(7) ? null : JsonDocument.Parse(reader.GetString(7)).RootElement;
        var file = reader.IsDBNull(8) ? null : new JobFile(reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
            reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetFieldValue<byte[]>(8));
        ExtractedDocument document;
        if (file is null)
        {
            var stored = JsonSerializer.Deserialize<StoredDocument>(reader.GetString(6))!;
            document = new ExtractedDocument(stored.Title, stored.Sections.Select(s => new Section(s.Headings, s.Paragraphs)).ToList());
        }
        else
        {
            document = new ExtractedDocument(null, []);
        }
        return new ClaimedJob(new AccountId(reader.GetGuid(0)), reader.GetGuid(1), token, reader.GetInt32(2), reader.GetInt32(3),
            new IngestRequest(reader.GetString(4), reader.GetString(5), document, metadata), file);
    }

    /// <summary>The advisory lock key of job claims (any constant unique to this use; "pjobclm" in ASCII).</summary>
    private const long ClaimLock = 0x706a6f62636c6d;
}
