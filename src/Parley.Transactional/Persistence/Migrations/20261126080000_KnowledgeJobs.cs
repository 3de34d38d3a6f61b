using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Durable ingestion jobs: a large upload is extracted at once (so bad input is still a 400) and
/// its document kept here until a worker has chunked, embedded and written it. Workers claim a job
/// with <c>FOR UPDATE SKIP LOCKED</c> and hold it by a lease (<c>locked_until</c>) they keep renewing;
/// a job whose worker died is claimed again once the lease has run out. At most one queued or
/// running job per (account, source, content): enqueueing the same upload twice gives the same job.
/// Raw SQL: the knowledge side owns it, the ORM never maps it.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261126080000_KnowledgeJobs")]
public sealed class KnowledgeJobs : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE knowledge_jobs (
              account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              id uuid NOT NULL,
              status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
              source text NOT NULL,
              title text NOT NULL,
              content_hash bytea NOT NULL,
              document text NOT NULL,
              metadata jsonb,
              bytes bigint NOT NULL,
              attempts integer NOT NULL DEFAULT 0,
              max_attempts integer NOT NULL,
              run_after timestamptz NOT NULL DEFAULT now(),
              locked_by text,
              locked_until timestamptz,
              stage text NOT NULL DEFAULT 'queued',
              progress_done integer NOT NULL DEFAULT 0,
              progress_total integer NOT NULL DEFAULT 0,
              document_id uuid,
              chunks integer,
              result text,
              error text,
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              started_at timestamptz,
              finished_at timestamptz,
              PRIMARY KEY (account_id, id)
            );
            -- What the claim scans: only live jobs, in due order.
            CREATE INDEX knowledge_jobs_due ON knowledge_jobs (run_after, created_at) WHERE status IN ('queued', 'running');
            CREATE UNIQUE INDEX knowledge_jobs_pending_content ON knowledge_jobs (account_id, source, content_hash) WHERE status IN ('queued', 'running');
            """);
        migrationBuilder.EnableTenantIsolation("knowledge_jobs");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE knowledge_jobs;");
    }
}
