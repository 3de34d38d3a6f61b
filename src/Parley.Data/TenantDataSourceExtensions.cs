using Npgsql;
using Parley.Domain;

namespace Parley.Data;

public static class TenantDataSourceExtensions
{
    /// <summary>This pool, for <paramref name="scope"/>: see <see cref="TenantDb"/> (the platform scope goes to the pool's platform twin, <see cref="PlatformDataSources"/>).</summary>
    public static TenantDb ForTenant(this NpgsqlDataSource dataSource, TenantScope scope) => new(PlatformDataSources.For(dataSource, scope), scope);

    /// <summary>This pool, for one account.</summary>
    public static TenantDb ForTenant(this NpgsqlDataSource dataSource, AccountId account) => new(dataSource, TenantScope.For(account));
}
