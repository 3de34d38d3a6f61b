using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// An <see cref="NpgsqlBatch"/> whose first command sets the tenant scope (transaction-local: a
/// multi-statement batch is one implicit transaction, so the scope ends with it). The caller sees
/// only its own commands: the reader starts at the first one's result.
/// </summary>
public sealed class TenantBatch : IAsyncDisposable
{
    private readonly NpgsqlBatch _batch;

    internal TenantBatch(NpgsqlBatch batch, TenantScope scope)
    {
        _batch = batch;
        Scope = scope;
        batch.BatchCommands.Add(TenantSql.BatchCommand(scope));
    }

    public TenantScope Scope { get; }

    /// <summary>Seconds the whole batch may run (Npgsql's command timeout); 0 waits forever.</summary>
    public int Timeout
    {
        get => _batch.Timeout;
        set => _batch.Timeout = value;
    }

    /// <summary>Appends a command; returned so its <see cref="NpgsqlBatchCommand.RecordsAffected"/> can be read after execution.</summary>
    public NpgsqlBatchCommand Add(NpgsqlBatchCommand command)
    {
        _batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>Runs the batch; the reader is positioned at the result of the first command added.</summary>
    public async Task<NpgsqlDataReader> ExecuteReaderAsync(CancellationToken cancellationToken)
    {
        var reader = await _batch.ExecuteReaderAsync(cancellationToken);
        try
        {
            await reader.NextResultAsync(cancellationToken);
            return reader;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async Task ExecuteNonQueryAsync(CancellationToken cancellationToken) => await _batch.ExecuteNonQueryAsync(cancellationToken);

    public ValueTask DisposeAsync() => _batch.DisposeAsync();
}
