using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Row-level security for a tenant table, used by every migration that adds one. FORCE applies the
/// policy to the table's owner too, so platform-wide work (done as the owner) sees every tenant only
/// when it says so (<c>parley.platform</c>); only a superuser, which Parley refuses to run as, bypasses
/// it. <c>(SELECT parley_is_platform())</c> is evaluated once per statement (migration PlatformNeedsOwner).
/// </summary>
public static class TenantIsolationMigrations
{
    public static void EnableTenantIsolation(this MigrationBuilder migrationBuilder, string table, string column = "account_id")
    {
        migrationBuilder.Sql($"""
            ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
            ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON {table}
              USING ({column} = parley_current_account() OR (SELECT parley_is_platform()))
              WITH CHECK ({column} = parley_current_account() OR (SELECT parley_is_platform()));
            """);
    }
}
