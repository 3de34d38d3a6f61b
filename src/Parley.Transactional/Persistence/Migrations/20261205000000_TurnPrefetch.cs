using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// An interim prefetch used to leave no trace in the call log. A turn now keeps how many interim
/// transcripts of its utterance arrived (<c>interims</c>), whether and how a prefetch answered
/// (<c>prefetch_match</c>: <c>exact</c> or <c>similar</c>), the interim's words that did
/// (<c>prefetch_transcript</c>) and the <c>prefetch</c> stage's time (<c>prefetch_ms</c>). Turns logged
/// before this have 0 and nulls. Defaults, not a rewrite of the table: PostgreSQL 11+ adds a column
/// with a constant default without touching the rows.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261205000000_TurnPrefetch")]
public sealed class TurnPrefetch : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE call_turns
                ADD COLUMN interims integer NOT NULL DEFAULT 0,
                ADD COLUMN prefetch_match text,
                ADD COLUMN prefetch_transcript text,
                ADD COLUMN prefetch_ms double precision NOT NULL DEFAULT 0;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns DROP COLUMN interims, DROP COLUMN prefetch_match, DROP COLUMN prefetch_transcript, DROP COLUMN prefetch_ms;");
}
