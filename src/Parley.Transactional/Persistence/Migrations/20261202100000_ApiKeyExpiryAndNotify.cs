using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Transactional.Persistence.Migrations;

/// <summary>
/// Keys may expire (<c>expires_at</c>), and every change that matters to a process caching keys is
/// announced on commit on channel <c>parley_api_keys</c> (ApiKeyChangeListener): <c>+prefix</c> when a
/// key is created, <c>-sha256hex</c> when one is revoked, re-scoped, re-dated or deleted. A trigger
/// rather than the API: a key revoked by hand in psql, or deleted with its account, is announced too.
/// <c>last_used_at</c>, written on every uncached authentication, announces nothing.
/// </summary>
[DbContext(typeof(ParleyDbContext))]
[Migration("20261202100000_ApiKeyExpiryAndNotify")]
public sealed class ApiKeyExpiryAndNotify : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            ALTER TABLE api_keys ADD COLUMN expires_at timestamp with time zone;

            CREATE FUNCTION parley_api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    PERFORM pg_notify('parley_api_keys', '+' || NEW.prefix);
                    RETURN NEW;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('parley_api_keys', '-' || encode(OLD.hash, 'hex'));
                    RETURN OLD;
                END IF;
                IF (NEW.revoked_at, NEW.expires_at, NEW.scopes, NEW.hash, NEW.account_id)
                   IS DISTINCT FROM (OLD.revoked_at, OLD.expires_at, OLD.scopes, OLD.hash, OLD.account_id) THEN
                    PERFORM pg_notify('parley_api_keys', '-' || encode(OLD.hash, 'hex'));
                END IF;
                IF NEW.prefix IS DISTINCT FROM OLD.prefix THEN
                    PERFORM pg_notify('parley_api_keys', '+' || NEW.prefix);
                END IF;
                RETURN NEW;
            END
            $$;

            CREATE TRIGGER api_keys_notify AFTER INSERT OR UPDATE OR DELETE ON api_keys
                FOR EACH ROW EXECUTE FUNCTION parley_api_keys_notify();
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            DROP TRIGGER api_keys_notify ON api_keys;
            DROP FUNCTION parley_api_keys_notify();
            ALTER TABLE api_keys DROP COLUMN expires_at;
            """);
}
