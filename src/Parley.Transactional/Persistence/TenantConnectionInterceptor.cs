using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Parley.Data;
using Parley.Domain;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Every connection EF opens is told the caller's tenant before its first query, so row-level
/// security filters even a query that forgot its <c>WHERE account_id</c>. Session-level, because EF
/// runs most statements outside an explicit transaction; every open overwrites what a pooled
/// connection carried before. A context whose scope is the platform gets its connection from the
/// owner's pool (<see cref="PlatformDataSources"/>): EF creates the connection at its first use, after
/// the scope is set, so a context injected before (the demo seeder's) still gets the right one.
/// </summary>
internal sealed class TenantConnectionInterceptor(ITenantContext tenant, NpgsqlDataSource platform) : DbConnectionInterceptor
{
    public override InterceptionResult<DbConnection> ConnectionCreating(ConnectionCreatingEventData eventData, InterceptionResult<DbConnection> result) =>
        tenant.Scope.IsPlatform ? InterceptionResult<DbConnection>.SuppressWithResult(platform.CreateConnection()) : result;

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await TenantDb.ApplyAsync((NpgsqlConnection)connection, tenant.Scope, cancellationToken);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        TenantDb.ApplyAsync((NpgsqlConnection)connection, tenant.Scope, CancellationToken.None)
            .GetAwaiter().GetResult();
    }
}
