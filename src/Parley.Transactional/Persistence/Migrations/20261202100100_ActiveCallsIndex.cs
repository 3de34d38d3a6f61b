using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The idle call sweeper looks, every few seconds, for open calls across all accounts; a partial index
/// on the open ones keeps that look to them instead of a scan of every call ever made.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261202100100_ActiveCallsIndex")]
public sealed class ActiveCallsIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("CREATE INDEX ix_calls_active_started_at ON calls (started_at) WHERE status = 'active';");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP INDEX ix_calls_active_started_at;");
}
