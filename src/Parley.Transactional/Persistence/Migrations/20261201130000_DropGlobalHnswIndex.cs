using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The design's global HNSW index goes. No Parley plan reads it (small tenants are scanned exactly,
/// large ones search their own partial index), a filtered search through it loses rows of small
/// tenants, and every chunk written paid for an insertion into its graph: binary COPY loaded about
/// 520 chunks/s with it and over 10 000 without (docs/scaling.md). Without it, a query naming a tenant
/// as a literal can only be served by that tenant's partial index or by an exact scan, never by a lossy one.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261201130000_DropGlobalHnswIndex")]
public sealed class DropGlobalHnswIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP INDEX IF EXISTS knowledge_chunks_embedding_hnsw;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS knowledge_chunks_embedding_hnsw ON knowledge_chunks
              USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
            """);
}
