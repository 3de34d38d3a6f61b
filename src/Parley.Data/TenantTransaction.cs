using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// A pooled connection with a transaction whose tenant scope is already set (transaction-local).
/// Disposing without <see cref="CommitAsync"/> rolls back and returns the connection.
/// </summary>
public sealed class TenantTransaction : IAsyncDisposable
{
    internal TenantTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, TenantScope scope)
    {
        Connection = connection;
        Transaction = transaction;
        Scope = scope;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public TenantScope Scope { get; }

    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, Transaction);

    public NpgsqlBatch CreateBatch() => new(Connection, Transaction);

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
