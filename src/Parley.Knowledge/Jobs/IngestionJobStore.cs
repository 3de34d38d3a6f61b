using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge.Jobs;

/// <summary>
/// A job as its worker holds it: <paramref name="Token"/> is the lease owner, unique per claim. A job
/// of an uploaded file has its <paramref name="File"/> still to extract; its request's document is
/// empty until then.
/// </summary>
public sealed record ClaimedJob(AccountId Account, Guid Id, string Token, int Attempts, int MaxAttempts, IngestRequest Request, JobFile? File = null);

/// <summary>
/// The <c>knowledge_jobs</c> table on the raw driver. Lease times are the database's <c>now()</c>, not
/// this process's clock: every worker on every machine then judges a lease by the same clock.
/// Every statement that changes a claimed job checks <c>locked_by</c>, so a worker that lost its
/// lease (it stalled, another took the job) can no longer write the job's state.
/// </summary>
public sealed partial class IngestionJobStore(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
    KnowledgeIngestion ingestion,
    IOptions<IngestionJobOptions> options)
{
    private const string Columns = """
        id, status, stage, source, title, bytes, progress_done, progress_total, attempts, max_attempts,
        document_id, chunks, result, error, created_at, started_at, finished_at, run_after
        """;

    /// <summary>
    /// Validates and queues a document; the same content already queued or running for the same
    /// source gives back that job (<c>Created</c> false) instead of a second one.
    /// </summary>
    public async Task<(IngestionJob Job, bool Created)> EnqueueAsync(AccountId account, IngestRequest request, long bytes, CancellationToken cancellationToken)
    {
        ingestion.Validate(request);
        var document = JsonSerializer.Serialize(new StoredDocument(request.Document.Title,
            request.Document.Sections.Select(s => new StoredSection(s.Headings, s.Paragraphs)).ToList()));
        return await InsertAsync(account, request, KnowledgeIngestion.ContentHash(request), document, bytes, null, cancellationToken);
    }

    private async Task<(IngestionJob Job, bool Created)> InsertAsync(AccountId account, IngestRequest request, byte[] hash, string document, long bytes,
        JobFile? file, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        batch.Add(new NpgsqlBatchCommand($"""
            WITH inserted AS (
              INSERT INTO knowledge_jobs (account_id, id, source, title, content_hash, document, metadata, bytes, max_attempts, file, file_name, file_type, file_title)
              VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)
              ON CONFLICT (account_id, source, content_hash) WHERE status IN ('queued', 'running') DO NOTHING
              RETURNING {Columns}, true AS created
            )
            SELECT * FROM inserted
            UNION ALL
            SELECT {Columns}, false FROM knowledge_jobs
            WHERE account_id = $1 AND source = $3 AND content_hash = $5 AND status IN ('queued', 'running') AND NOT EXISTS (SELECT FROM inserted)
            """)
        {
            Parameters =
            {
                new() { Value = account.Value },
                new() { Value = Guid.CreateVersion7() },
                new() { Value = request.Source },
                new() { Value = request.Title },
                new() { Value = hash },
                new() { Value = document },
                new() { NpgsqlDbType = NpgsqlDbType.Text, Value = request.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : DBNull.Value },
                new() { Value = bytes },
                new() { Value = options.Value.MaxAttempts },
                new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = file is null ? DBNull.Value : file.Bytes },
                new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)file?.Name ?? DBNull.Value },
                new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)file?.ContentType ?? DBNull.Value },
                new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)file?.Title ?? DBNull.Value },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // The twin job finished between the insert's conflict check and the select: try again.
            throw new ConflictException("The same upload was just finished by another request; send it again.");
        }
        return (Read(reader), reader.GetBoolean(18));
    }

    public async Task<IngestionJob> GetAsync(AccountId account, Guid id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(account, $"SELECT {Columns} FROM knowledge_jobs WHERE account_id = $1 AND id = $2",
            [new() { Value = account.Value }, new() { Value = id }], cancellationToken);
        return rows.FirstOrDefault() ?? throw new NotFoundException("Job");
    }

    /// <summary>Newest first; the cursor is the last job's id (v7 ids sort by creation time).</summary>
    public async Task<(IReadOnlyList<IngestionJob> Items, string? Next)> ListAsync(AccountId account, int limit, Guid? before, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(account, $"SELECT {Columns} FROM knowledge_jobs WHERE account_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            [new() { Value = account.Value }, new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = before.HasValue ? before.Value : DBNull.Value }, new() { Value = limit + 1 }],
            cancellationToken);
        var more = rows.Count > limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return (rows, more ? rows[^1].Id.ToString() : null);
    }

    /// <summary>Renews the lease and records progress; false when the job is no longer this worker's.</summary>
    public async Task<bool> HeartbeatAsync(ClaimedJob job, string stage, int done, int total, CancellationToken cancellationToken) =>
        await UpdateAsync(job, """
            UPDATE knowledge_jobs SET locked_until = now() + make_interval(secs => $4), stage = $5, progress_done = $6, progress_total = $7, updated_at = now()
            WHERE account_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'
            """, [(double)options.Value.LeaseSeconds, stage, done, total], cancellationToken);

    public async Task<bool> SucceedAsync(ClaimedJob job, IngestResult result, CancellationToken cancellationToken) =>
        // The stored document is dropped once written: it can be megabytes, and the chunks hold it now.
        await UpdateAsync(job, """
            UPDATE knowledge_jobs
            SET status = 'succeeded', stage = 'done', locked_by = NULL, locked_until = NULL, document_id = $4, chunks = $5, result = $6,
                progress_done = greatest(progress_total, $5), progress_total = greatest(progress_total, $5), error = NULL, document = '', file = NULL,
                finished_at = now(), updated_at = now()
            WHERE account_id = $1 AND id = $2 AND locked_by = $3
            """, [result.DocumentId, result.Chunks, WireNames.Of(result.Status)], cancellationToken);

    /// <summary>Records a failure: queued again after <paramref name="retryAfter"/>, or failed for good when null.</summary>
    public async Task<bool> FailAsync(ClaimedJob job, string error, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        retryAfter is { } delay
            ? await UpdateAsync(job, """
                UPDATE knowledge_jobs
                SET status = 'queued', stage = 'waiting to retry', locked_by = NULL, locked_until = NULL, error = $4,
                    run_after = now() + make_interval(secs => $5), updated_at = now()
                WHERE account_id = $1 AND id = $2 AND locked_by = $3
                """, [error, delay.TotalSeconds], cancellationToken)
            : await UpdateAsync(job, """
                UPDATE knowledge_jobs
                SET status = 'failed', stage = 'failed', locked_by = NULL, locked_until = NULL, error = $4, file = NULL, finished_at = now(), updated_at = now()
                WHERE account_id = $1 AND id = $2 AND locked_by = $3
                """, [error], cancellationToken);

    /// <summary>Hands a job back untouched (this process is stopping): not counted as an attempt.</summary>
    public async Task<bool> ReleaseAsync(ClaimedJob job, CancellationToken cancellationToken) =>
        await UpdateAsync(job, """
            UPDATE knowledge_jobs
            SET status = 'queued', stage = 'queued', attempts = greatest(attempts - 1, 0), locked_by = NULL, locked_until = NULL,
                run_after = now(), updated_at = now()
            WHERE account_id = $1 AND id = $2 AND locked_by = $3
            """, [], cancellationToken);

    private async Task<bool> UpdateAsync(ClaimedJob job, string sql, object[] args, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(job.Account).CreateBatch();
        var cmd = new NpgsqlBatchCommand(sql)
        {
            Parameters = { new() { Value = job.Account.Value }, new() { Value = job.Id }, new() { Value = job.Token } },
        };
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        batch.Add(cmd);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return cmd.RecordsAffected > 0;
    }

    private async Task<List<IngestionJob>> QueryAsync(AccountId account, string sql, NpgsqlParameter[] args, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(args);
        batch.Add(cmd);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var list = new List<IngestionJob>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }
        return list;
    }
}
