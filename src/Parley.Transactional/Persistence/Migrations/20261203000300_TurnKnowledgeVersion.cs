using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Each turn keeps the tenant's knowledge version it was answered from (<c>knowledge_tenant_stats.version</c>,
/// bumped by every upload and delete), so a logged answer can be traced to the knowledge base as it then stood.
/// Null for the turns logged before.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261203000300_TurnKnowledgeVersion")]
public sealed class TurnKnowledgeVersion : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns ADD COLUMN knowledge_version bigint;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE call_turns DROP COLUMN knowledge_version;");
}
