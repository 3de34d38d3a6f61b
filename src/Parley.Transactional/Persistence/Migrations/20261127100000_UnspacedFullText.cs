using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Full-text search for languages written without spaces. PostgreSQL's parser reads a run of Han or
/// kana characters as one word, so "天气很好" inside "北京的天气很好" never matched. parley_fts_text
/// spaces those characters out (one lexeme each, positions kept), for the stored tsvector and for
/// the query alike: a phrase is then matched as adjacent characters, which is how a Chinese or
/// Japanese reader searches. Other scripts pass through unchanged. Rebuilding the generated column
/// rewrites knowledge_chunks once.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261127100000_UnspacedFullText")]
public sealed class UnspacedFullText : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE FUNCTION parley_fts_text(text) RETURNS text
              LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
              AS $f$ SELECT pg_catalog.regexp_replace($1, '([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])', ' \1 ', 'g') $f$;
            ALTER TABLE knowledge_chunks DROP COLUMN tsv;
            ALTER TABLE knowledge_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector(language, parley_fts_text(content))) STORED;
            CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE knowledge_chunks DROP COLUMN tsv;
            ALTER TABLE knowledge_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector(language, content)) STORED;
            CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
            DROP FUNCTION parley_fts_text(text);
            """);
}
