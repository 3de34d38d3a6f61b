using System.Data;
using Medallion.Threading.Postgres;
using Npgsql;

namespace Parley.Data;

/// <summary>
/// A held <see cref="SingletonJob"/> lock and the connection it lives on (which carries the scope
/// asked for). Disposing releases the lock, then returns the connection; a broken connection has
/// released the lock already, as its session ended.
/// </summary>
public sealed class Leadership : IAsyncDisposable
{
    private readonly PostgresDistributedLockHandle _handle;

    internal Leadership(NpgsqlConnection connection, PostgresDistributedLockHandle handle)
    {
        Connection = connection;
        _handle = handle;
    }

    public NpgsqlConnection Connection { get; }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _handle.DisposeAsync();
        }
        catch (Exception) when (Connection.FullState != ConnectionState.Open)
        {
            // The session is gone, and its lock with it: nothing left to release, and the job's own
            // failure (if any) is the news, not this one.
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
