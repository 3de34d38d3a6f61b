using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Every chunk records the embedding model that made its vector, so switching models is a resumable
/// re-embed (<c>parley reembed</c>: the rows still on another model are what is left to do) rather
/// than a guess. Existing rows get the model recorded in <c>parley_settings</c>; the column then has no
/// default, so a writer that forgot to say which model it used fails loudly instead of mislabelling.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261125050000_ChunkEmbeddingModel")]
public sealed class ChunkEmbeddingModel : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // A constant default is stored in the catalog (PostgreSQL 11+): no table rewrite, even for millions of rows.
        migrationBuilder.Sql("""
            DO $$
            BEGIN
              EXECUTE format('ALTER TABLE knowledge_chunks ADD COLUMN embedding_model text NOT NULL DEFAULT %L',
                (SELECT value FROM parley_settings WHERE key = 'embedding_model'));
              ALTER TABLE knowledge_chunks ALTER COLUMN embedding_model DROP DEFAULT;
            END $$;
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("ALTER TABLE knowledge_chunks DROP COLUMN embedding_model;");
    }
}
