using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The GIN index on a chunk's own metadata goes. Since a chunk keeps only its headings and a filter
/// matches the merged object (the document's metadata, the chunk's, the source: see SearchSql), no
/// statement can use it, and every chunk written paid for its entries. Filters are served by the
/// tenant's exact scan or its HNSW index with the correlated test on the document.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261203000500_DropChunkMetadataIndex")]
public sealed class DropChunkMetadataIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP INDEX IF EXISTS knowledge_chunks_metadata;");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS knowledge_chunks_metadata ON knowledge_chunks USING gin (metadata jsonb_path_ops);");
}
