using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Ingestion;

namespace Parley.Knowledge;

/// <summary>
/// Listing and deleting documents (the chunks go with them by cascade, in one statement; their cached
/// embeddings after the commit, through <see cref="IEmbeddingCachePurge"/>).
/// </summary>
public sealed class KnowledgeDocuments(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource, ReadRouting routing, IEmbeddingCachePurge? cache = null)
{
    private const string Columns = "id, source, title, chunk_count, status, metadata, created_at, updated_at";

    public async Task<(IReadOnlyList<DocumentInfo> Items, string? Next)> ListAsync(AccountId account, int limit, Guid? after, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(account, $"SELECT {Columns} FROM knowledge_documents WHERE account_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
            [account.Value, after.HasValue ? after.Value : DBNull.Value, limit + 1], cancellationToken);
        var more = rows.Count > limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return (rows, more ? rows[^1].Id.ToString() : null);
    }

    public async Task<DocumentInfo> GetAsync(AccountId account, Guid id, CancellationToken cancellationToken) =>
        (await QueryAsync(account, $"SELECT {Columns} FROM knowledge_documents WHERE account_id = $1 AND id = $2", [account.Value, id], cancellationToken))
            .FirstOrDefault() ?? throw new NotFoundException("Document");

    public async Task DeleteAsync(AccountId account, Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await dataSource.ForTenant(account).BeginTransactionAsync(cancellationToken);
        var texts = new List<string>();
        await using (var read = tx.CreateCommand("SELECT content FROM knowledge_chunks WHERE account_id = $1 AND document_id = $2"))
        {
            read.Parameters.Add(new() { Value = account.Value });
            read.Parameters.Add(new() { Value = id });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                texts.Add(reader.GetString(0));
            }
        }
        await using var batch = tx.CreateBatch();
        var delete = new NpgsqlBatchCommand("DELETE FROM knowledge_documents WHERE account_id = $1 AND id = $2")
        {
            Parameters = { new() { Value = account.Value }, new() { Value = id } },
        };
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            UPDATE knowledge_tenant_stats
            SET chunk_count = (SELECT count(*) FROM knowledge_chunks WHERE account_id = $1),
                document_count = (SELECT count(*) FROM knowledge_documents WHERE account_id = $1),
                version = version + 1, updated_at = now()
            WHERE account_id = $1
            """)
        {
            Parameters = { new() { Value = account.Value } },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (delete.RecordsAffected == 0)
        {
            throw new NotFoundException("Document");
        }
        await tx.CommitAsync(cancellationToken);
        routing.MarkWritten(account);
        if (cache is not null)
        {
            await cache.PurgeAsync(account, texts, cancellationToken);
        }
    }

    /// <summary>The account's knowledge version: bumped by every ingest and delete.</summary>
    public async Task<long> VersionAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        batch.Add(KnowledgeVersionSql.Command(account));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0);
    }

    private async Task<List<DocumentInfo>> QueryAsync(AccountId account, string sql, object[] args, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account).CreateBatch();
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        batch.Add(cmd);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var list = new List<DocumentInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new DocumentInfo(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                JsonDocument.Parse(reader.GetString(5)).RootElement, reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }
        return list;
    }
}
