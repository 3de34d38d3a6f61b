using System.Net.Sockets;
using Npgsql;

namespace Parley.Data;

/// <summary>What an Npgsql error says about the server rather than about the statement.</summary>
public static class DatabaseErrors
{
    /// <summary>A broken connection or a server shutting down (57P01..57P03, class 08), or a transient network error: not a problem of the query.</summary>
    public static bool IsConnectionLoss(NpgsqlException e) => e is PostgresException pe
        ? pe.SqlState.StartsWith("57P", StringComparison.Ordinal) || pe.SqlState.StartsWith("08", StringComparison.Ordinal)
        : e.IsTransient;

    /// <summary>
    /// Whether the same statement could succeed later unchanged: the connection was lost, the server was
    /// busy, short of resources or read-only for a moment (a failover), or the transaction lost a race
    /// (40001, 40P01, 55P03), or a statement or network timeout. The chain of inner exceptions is
    /// searched: EF Core wraps the driver's errors.
    /// </summary>
    public static bool IsRetryable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pe:
                    return pe.IsTransient || IsConnectionLoss(pe) || pe.SqlState
                        is PostgresErrorCodes.QueryCanceled
                        or PostgresErrorCodes.ReadOnlySqlTransaction
                        or PostgresErrorCodes.SerializationFailure
                        or PostgresErrorCodes.DeadlockDetected;
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                case SocketException:
                case IOException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the database (or the driver, converting a value) refused what a statement carries rather
    /// than failing for a reason of its own: a data exception (class 22: a NUL in a text, 22021; a number
    /// out of range), a broken constraint (class 23: the row's call or account is gone), a program limit
    /// (class 54: a value too big for an index), or a value the driver cannot encode (a lone surrogate).
    /// The same records fail the same way however often they are retried; other records would not.
    /// </summary>
    public static bool IsRefusedValue(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pe:
                    return pe.SqlState is ['2', '2', ..] or ['2', '3', ..] or ['5', '4', ..];
                case InvalidCastException or ArgumentException or OverflowException or FormatException:
                    return true;
            }
        }
        return false;
    }
}
