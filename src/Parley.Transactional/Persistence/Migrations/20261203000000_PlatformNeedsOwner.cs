using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// <c>parley.platform</c> is a setting any session may set, so it alone no longer opens every tenant's
/// rows: it counts only for a member of the role that owns the schema (which can lift row-level
/// security anyway), never for the server's own role. Platform-wide work connects as the owner
/// (<c>PlatformDataSources</c>); a tenant session of the server's role that sets the setting still sees
/// only its own rows. The owner is read from the catalog at each call, not written into the function,
/// so handing the schema to another role (an older private cluster's <c>REASSIGN OWNED</c>) needs no
/// new migration. The table is named with its schema and the function runs with
/// <c>search_path = pg_catalog</c>: a temporary table of the same name cannot stand in for it.
/// Policies call the function as <c>(SELECT parley_is_platform())</c>: an init plan, once per
/// statement, not once per row (the function is no longer a bare expression the planner inlines).
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261203000000_PlatformNeedsOwner")]
public sealed class PlatformNeedsOwner : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DO $$
            DECLARE p record;
            BEGIN
              EXECUTE format($f$
                CREATE OR REPLACE FUNCTION parley_is_platform() RETURNS boolean
                  LANGUAGE sql STABLE PARALLEL SAFE
                  SET search_path = pg_catalog
                  AS $b$ SELECT coalesce(current_setting('parley.platform', true), '') = 'on'
                           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = %L::regclass), 'USAGE') $b$
                $f$, format('%I.parley_settings', current_schema()));
              FOR p IN
                SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies
                WHERE schemaname = current_schema() AND qual LIKE '%parley_is_platform()%' AND qual NOT LIKE '%SELECT parley_is_platform()%'
              LOOP
                EXECUTE format('ALTER POLICY %I ON %I.%I USING (%s) WITH CHECK (%s)', p.policyname, p.schemaname, p.tablename,
                  replace(p.qual, 'parley_is_platform()', '(SELECT parley_is_platform())'),
                  replace(coalesce(p.with_check, p.qual), 'parley_is_platform()', '(SELECT parley_is_platform())'));
              END LOOP;
            END $$;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DO $$
            DECLARE p record;
            BEGIN
              FOR p IN
                SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies
                WHERE schemaname = current_schema() AND qual LIKE '%SELECT parley_is_platform()%'
              LOOP
                EXECUTE format('ALTER POLICY %I ON %I.%I USING (%s) WITH CHECK (%s)', p.policyname, p.schemaname, p.tablename,
                  regexp_replace(p.qual, '\(\s*SELECT parley_is_platform\(\) AS parley_is_platform\)', 'parley_is_platform()', 'g'),
                  regexp_replace(coalesce(p.with_check, p.qual), '\(\s*SELECT parley_is_platform\(\) AS parley_is_platform\)', 'parley_is_platform()', 'g'));
              END LOOP;
            END $$;
            CREATE OR REPLACE FUNCTION parley_is_platform() RETURNS boolean
              LANGUAGE sql STABLE PARALLEL SAFE
              RESET search_path
              AS $f$ SELECT coalesce(current_setting('parley.platform', true), '') = 'on' $f$;
            """);
}
