using Npgsql;
using Parley.Domain;

namespace Parley.Data;

/// <summary>
/// The one read of a tenant's knowledge version (bumped by every ingest and delete), as a batch command, so
/// that a phone turn can fold it into the round trip that begins the turn instead of paying one of its own.
/// </summary>
public static class KnowledgeVersionSql
{
    public static NpgsqlBatchCommand Command(AccountId account) =>
        new("SELECT coalesce((SELECT version FROM knowledge_tenant_stats WHERE account_id = $1), 0)")
        {
            Parameters = { new() { Value = account.Value } },
        };
}
