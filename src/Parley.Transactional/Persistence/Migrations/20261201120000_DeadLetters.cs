using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Records the batching writers could not store because of what was in them (a NUL in a text, a broken
/// constraint), set aside so that the rest of their batch lands. Written and read by the raw driver
/// (Parley.Data's DeadLetterStore), never mapped by the ORM, so the model snapshot does not change.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261201120000_DeadLetters")]
public sealed class DeadLetters : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE dead_letters (
              account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
              -- The record's own id: a record set aside twice (read back from a spool) is kept once.
              id uuid NOT NULL,
              kind text NOT NULL,
              -- JSON as text, not jsonb: jsonb refuses \u0000, the very thing that most often poisons a
              -- record, and the escapes must survive for the record to be mended and replayed.
              payload text NOT NULL,
              error text NOT NULL,
              sql_state text,
              created_at timestamptz NOT NULL,
              PRIMARY KEY (account_id, kind, id)
            );
            CREATE INDEX dead_letters_recent ON dead_letters (created_at DESC);
            """);
        migrationBuilder.EnableTenantIsolation("dead_letters");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE dead_letters;");
    }
}
