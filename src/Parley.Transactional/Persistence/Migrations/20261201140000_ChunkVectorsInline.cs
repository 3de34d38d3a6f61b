using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Keeps what every search reads (the embedding, and the tsvector of hybrid search) inside the heap
/// row, and lets what only the k winners need (content, metadata) go to TOAST. pgvector's type stores
/// out of line (EXTERNAL), and a real chunk's row (a 1.5 kB vector, ~0.5 kB of compressed text, ~0.7 kB
/// of tsvector) passes the 2 kB threshold, so every distance of an exact scan fetched its vector from the
/// TOAST table: 1 149 Debian Reference chunks took 4.5-16 ms to scan, 1.6-1.8 ms inline
/// (docs/scaling.md). The row target is sized from the dimension so a 1536-dimension vector stays
/// inline too. Rows written before keep their layout until they are written again (re-ingest or re-embed).
/// The re-embedder re-applies the same after a change of column type, which resets storage.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261201140000_ChunkVectorsInline")]
public sealed class ChunkVectorsInline : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE MAIN, ALTER COLUMN tsv SET STORAGE MAIN;
            DO $$ BEGIN
              EXECUTE format('ALTER TABLE knowledge_chunks SET (toast_tuple_target = %s)',
                least(8160, 4 * (SELECT value::int FROM parley_settings WHERE key = 'embedding_dimensions') + 1200));
            END $$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE knowledge_chunks ALTER COLUMN embedding SET STORAGE EXTERNAL, ALTER COLUMN tsv SET STORAGE EXTENDED;
            ALTER TABLE knowledge_chunks RESET (toast_tuple_target);
            """);
}
