using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// A webhook that was told an alert opened is also told when it closed: the receiver (a pager, a chat
/// channel) would otherwise keep an incident open that Parley already considers over.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261126090000_AlertResolutionDelivery")]
public sealed class AlertResolutionDelivery : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE alerts ADD COLUMN resolution_delivered_at timestamptz;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE alerts DROP COLUMN resolution_delivered_at;");
}
