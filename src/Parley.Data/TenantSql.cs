using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// Tells PostgreSQL whose rows the current connection may see. Row-level security policies read
/// <c>parley.account_id</c> and <c>parley.platform</c>. Only <see cref="TenantDb"/> and its batch,
/// transaction and leader types use it: callers outside this project never write the prologue.
/// </summary>
internal static class TenantSql
{
    private const string Sql = "SELECT set_config('parley.account_id', $1, $3), set_config('parley.platform', $2, $3)";

    /// <summary>A batch command to put first in a raw batch: transaction-local, so it ends with the batch.</summary>
    public static NpgsqlBatchCommand BatchCommand(TenantScope scope) => new(Sql)
    {
        Parameters =
        {
            new() { Value = scope.Account?.ToString() ?? "" },
            new() { Value = scope.IsPlatform ? "on" : "off" },
            new() { Value = true },
        },
    };

    /// <summary>On a connection the caller holds: session-level (until it closes) or transaction-local.</summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, TenantScope scope, bool transactionLocal, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(Sql, connection)
        {
            Parameters =
            {
                new() { Value = scope.Account?.ToString() ?? "" },
                new() { Value = scope.IsPlatform ? "on" : "off" },
                new() { Value = transactionLocal },
            },
        };
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
