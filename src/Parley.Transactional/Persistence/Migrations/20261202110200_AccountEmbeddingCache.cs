using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// The persistent embedding cache belongs to an account: shared by all, it told a tenant (through the
/// time an embedding took) whether anyone had embedded an exact sentence before. Entries are now keyed
/// by (account, model, text hash), under row-level security, deleted with their account; the old
/// shared entries have no owner and are dropped (a cache: they are recomputed when asked again). The
/// index on last use serves the pruning pass.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261202110200_AccountEmbeddingCache")]
public sealed class AccountEmbeddingCache : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            TRUNCATE embedding_cache;
            ALTER TABLE embedding_cache ADD COLUMN account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE;
            ALTER TABLE embedding_cache DROP CONSTRAINT embedding_cache_pkey;
            ALTER TABLE embedding_cache ADD PRIMARY KEY (account_id, model, text_hash);
            CREATE INDEX embedding_cache_last_hit ON embedding_cache (last_hit_at);
            """);
        migrationBuilder.EnableTenantIsolation("embedding_cache");
    }

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP POLICY tenant_isolation ON embedding_cache;
            ALTER TABLE embedding_cache NO FORCE ROW LEVEL SECURITY;
            ALTER TABLE embedding_cache DISABLE ROW LEVEL SECURITY;
            TRUNCATE embedding_cache;
            DROP INDEX embedding_cache_last_hit;
            ALTER TABLE embedding_cache DROP CONSTRAINT embedding_cache_pkey;
            ALTER TABLE embedding_cache DROP COLUMN account_id;
            ALTER TABLE embedding_cache ADD PRIMARY KEY (model, text_hash);
            """);
}
