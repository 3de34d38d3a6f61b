using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Durable per-search records (the PerformanceService's source, so figures survive restarts and agree
/// across server processes; pruned by age) and the latency monitor's alerts. Written and read by the
/// raw driver (Parley.Monitoring), never mapped by the ORM, so the model snapshot does not change.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261125040000_Monitoring")]
public sealed class Monitoring : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE search_records (
              account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              id uuid NOT NULL,
              occurred_at timestamptz NOT NULL,
              search_ms double precision NOT NULL,
              -- NULL when the caller embedded the query itself (a phone turn reuses the answer cache's vector).
              embed_ms double precision,
              total_ms double precision NOT NULL,
              embedding_cached boolean,
              strategy text NOT NULL,
              results integer NOT NULL,
              PRIMARY KEY (account_id, id)
            );
            -- The window queries: one account, recent rows. The second index serves pruning by age.
            CREATE INDEX search_records_window ON search_records (account_id, occurred_at);
            CREATE INDEX search_records_age ON search_records (occurred_at);

            CREATE TABLE alerts (
              account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              id uuid NOT NULL,
              type text NOT NULL,
              severity text NOT NULL,
              message text NOT NULL,
              value_ms double precision,
              raised_at timestamptz NOT NULL,
              resolved_at timestamptz,
              delivered_at timestamptz,
              PRIMARY KEY (account_id, id)
            );
            -- At most one open alert of a kind per account: an alert is not repeated while open, even
            -- when two server processes check at once.
            CREATE UNIQUE INDEX alerts_one_open ON alerts (account_id, type) WHERE resolved_at IS NULL;
            CREATE INDEX alerts_recent ON alerts (account_id, raised_at DESC);

            -- The latency series read an account's turns by time; the ORM's index is by call.
            CREATE INDEX call_turns_account_created ON call_turns (account_id, created_at);
            """);
        migrationBuilder.EnableTenantIsolation("search_records");
        migrationBuilder.EnableTenantIsolation("alerts");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP INDEX call_turns_account_created; DROP TABLE alerts; DROP TABLE search_records;");
    }
}
