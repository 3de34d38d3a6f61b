using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// <c>parley_warm_tenant()</c>: loads the knowledge of the session's tenant (<c>parley.account_id</c>) into
/// the caches, called when a call starts so its first search does not read from disk. A tenant with a
/// partial HNSW index gets that index read with <c>pg_prewarm</c> (into shared buffers when it fits in a
/// quarter of them, else into the OS cache only, so one large tenant cannot evict every other tenant's
/// pages); any other tenant gets its chunks' and documents' rows read through the primary key, the very
/// pages its exact scan reads. <c>pg_prewarm</c> of the table itself would not do: its blocks hold every
/// tenant's rows. SECURITY DEFINER because <c>pg_prewarm</c> needs SELECT on the index, and an index has no
/// grants but its owner's; the function reads the tenant from the session and only counts what it read, so
/// it gives the server's role nothing its own row-level security does not (the owner's reads are filtered
/// too: row-level security is forced). <c>pg_prewarm</c> is not a trusted extension: a superuser creates it
/// (<c>./parley db start</c> and the test clusters do), else the warm of an indexed tenant fails, is logged,
/// and costs the call nothing.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261203000301_TenantWarm")]
public sealed class TenantWarm : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_prewarm')
                 AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                CREATE EXTENSION pg_prewarm;
              END IF;
              EXECUTE format($f$
                CREATE FUNCTION parley_warm_tenant(OUT kind text, OUT blocks bigint, OUT tuples bigint)
                  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
                  SET search_path = pg_catalog, %1$I
                  AS $b$
                  DECLARE
                    account uuid := parley_current_account();
                    idx text;
                    prewarm name;
                    rel regclass;
                  BEGIN
                    IF account IS NULL THEN
                      RAISE EXCEPTION 'parley_warm_tenant() needs the tenant of the session (parley.account_id)';
                    END IF;
                    SELECT s.hnsw_index INTO idx FROM knowledge_tenant_stats s WHERE s.account_id = account;
                    IF idx IS NOT NULL THEN
                      SELECT n.nspname INTO prewarm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                      WHERE e.extname = 'pg_prewarm';
                      IF prewarm IS NULL THEN
                        RAISE EXCEPTION 'the pg_prewarm extension is not installed (CREATE EXTENSION pg_prewarm, as a superuser)';
                      END IF;
                      -- Fails if the index recorded for the tenant is gone: the warm is then logged, never fatal.
                      rel := format('%1$I.%%I', idx)::regclass;
                      kind := CASE WHEN pg_relation_size(rel) * 4 <= pg_size_bytes(current_setting('shared_buffers'))
                                   THEN 'index' ELSE 'index-os' END;
                      EXECUTE format('SELECT %%I.pg_prewarm($1, $2)', prewarm)
                        INTO blocks USING rel, CASE kind WHEN 'index' THEN 'buffer' ELSE 'read' END;
                      RETURN;
                    END IF;
                    -- count(embedding) reads every heap tuple (the column is in no index), as the exact scan does.
                    SELECT count(c.embedding) INTO tuples FROM knowledge_chunks c WHERE c.account_id = account;
                    tuples := tuples + (SELECT count(d.title) FROM knowledge_documents d WHERE d.account_id = account);
                    kind := 'rows';
                  END
                  $b$
                $f$, current_schema());
            END $$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS parley_warm_tenant();");
}
