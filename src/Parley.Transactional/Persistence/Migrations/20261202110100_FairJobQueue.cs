using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// When each tenant was last given a job by the claim (<c>IngestionJobStore.ClaimAsync</c>): the
/// round-robin's memory, one row per tenant, so the claim never scans the job history to find who has
/// waited longest. Tenant rows under row-level security like every table with an account.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261202110100_FairJobQueue")]
public sealed class FairJobQueue : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE knowledge_job_turns (
              account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
              served_at timestamptz NOT NULL);
            """);
        migrationBuilder.EnableTenantIsolation("knowledge_job_turns");
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE knowledge_job_turns;");
}
