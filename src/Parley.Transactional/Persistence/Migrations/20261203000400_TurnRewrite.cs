using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The follow-up rewrite can be an LLM call under its own budget: a turn keeps the time it took
/// (<c>rewrite_ms</c>, shown in the call page's waterfall) and which rewrite it used (<c>llm</c> or
/// <c>local</c>). Turns logged before this have none: 0 and null.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261203000400_TurnRewrite")]
public sealed class TurnRewrite : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns ADD COLUMN rewrite_ms double precision NOT NULL DEFAULT 0, ADD COLUMN rewrite text;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns DROP COLUMN rewrite_ms, DROP COLUMN rewrite;");
}
