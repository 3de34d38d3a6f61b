using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// A follow-up ("and on Sundays?") is searched as a standalone query formed from the turns before it;
/// the turn keeps that query so the call page can show what retrieval actually ran on.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261201100000_TurnStandaloneQuery")]
public sealed class TurnStandaloneQuery : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns ADD COLUMN standalone_query text;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns DROP COLUMN standalone_query;");
}
