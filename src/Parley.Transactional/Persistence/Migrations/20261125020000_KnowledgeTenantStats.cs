using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Per-tenant facts the search runner plans from: the chunk count (exact scan or the tenant's own
/// HNSW index), the index's name once built, and a version bumped by every knowledge change (the
/// semantic answer cache is valid only for the version it was filled at). Raw SQL: the ORM never maps it.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261125020000_KnowledgeTenantStats")]
public sealed class KnowledgeTenantStats : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE knowledge_tenant_stats (
              account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
              chunk_count bigint NOT NULL DEFAULT 0,
              document_count integer NOT NULL DEFAULT 0,
              version bigint NOT NULL DEFAULT 0,
              hnsw_index text,
              updated_at timestamptz NOT NULL DEFAULT now()
            );
            """);
        migrationBuilder.EnableTenantIsolation("knowledge_tenant_stats");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE knowledge_tenant_stats;");
    }
}
