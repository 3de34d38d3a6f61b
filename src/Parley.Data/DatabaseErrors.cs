using Npgsql;

namespace Parley.Data;

/// <summary>What an Npgsql error says about the server rather than about the statement.</summary>
public static class DatabaseErrors
{
    /// <summary>A broken connection or a server shutting down (57P01..57P03, class 08), or a transient network error: not a problem of the query.</summary>
    public static bool IsConnectionLoss(NpgsqlException e) => e is PostgresException pe
        ? pe.SqlState.StartsWith("57P", StringComparison.Ordinal) || pe.SqlState.StartsWith("08", StringComparison.Ordinal)
        : e.IsTransient;
}
