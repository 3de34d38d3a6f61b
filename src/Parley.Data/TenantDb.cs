using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// The raw side's one way into the database for a tenant scope: the scope is a property of this
/// handle (as in Marten's tenant session), not a prologue every query repeats. A batch gets the scope
/// as its first command and its reader starts past that command's result; a connection or a
/// transaction gets it before the caller's first statement. Row-level security then filters every
/// statement, even one that forgot its <c>WHERE account_id</c>. Get one with
/// <see cref="TenantDataSourceExtensions.ForTenant(NpgsqlDataSource, TenantScope)"/>.
/// </summary>
public readonly struct TenantDb(NpgsqlDataSource dataSource, TenantScope scope)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public TenantScope Scope { get; } = scope;

    /// <summary>A batch on a pooled connection, one round trip, the scope transaction-local (it ends with the batch).</summary>
    public TenantBatch CreateBatch() => new(DataSource.CreateBatch(), Scope);

    /// <summary>
    /// A connection carrying the scope at session level, for work that spans many statements without
    /// one transaction (DDL, bulk maintenance). Npgsql resets session state when the connection goes
    /// back to the pool, so the scope never reaches the next borrower.
    /// </summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await TenantSql.ApplyAsync(connection, Scope, transactionLocal: false, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A connection and a transaction whose scope is transaction-local. Npgsql sends BEGIN with the
    /// first statement, so opening costs one round trip (BEGIN and the scope together).
    /// </summary>
    public async Task<TenantTransaction> BeginTransactionAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await TenantSql.ApplyAsync(connection, Scope, transactionLocal: true, cancellationToken);
            return new TenantTransaction(connection, transaction, Scope);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Gives a connection someone else opened the scope at session level: EF Core's connections,
    /// through its connection interceptor, where the scope is the request's <see cref="ITenantContext"/>.
    /// </summary>
    public static Task ApplyAsync(NpgsqlConnection connection, TenantScope scope, CancellationToken cancellationToken) =>
        TenantSql.ApplyAsync(connection, scope, transactionLocal: false, cancellationToken);
}
