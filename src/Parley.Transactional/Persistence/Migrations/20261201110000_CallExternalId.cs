using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// A voice platform (Vapi, Retell, an OpenAI-compatible client's <c>user</c>) names its calls with its own
/// ids; Parley makes a call on first sight of one and must find the same call on the next request, from
/// any server: a unique index per account, partial so that calls started through Parley's API need none.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261201110000_CallExternalId")]
public sealed class CallExternalId : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE calls ADD COLUMN external_id text;
            CREATE UNIQUE INDEX ix_calls_account_id_external_id ON calls (account_id, external_id) WHERE external_id IS NOT NULL;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP INDEX ix_calls_account_id_external_id;
            ALTER TABLE calls DROP COLUMN external_id;
            """);
}
