using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Search;
using Pgvector;

namespace Parley.Knowledge.Maintenance;

/// <summary>How far a re-embed has got: chunks done in this run, out of those on another model at its start.</summary>
public sealed record ReEmbedProgress(long Done, long Total);

/// <summary>The outcome of a run: chunks re-embedded, chunks (of every account) still on another model, and whether the deployment's recorded model is now the configured one.</summary>
public sealed record ReEmbedResult(long ReEmbedded, long Remaining, bool Switched, string FromModel, string ToModel);

/// <summary>
/// Switching embedding models (<c>parley reembed</c>): every chunk whose <c>embedding_model</c> is not
/// the configured one is embedded again, in batches, each batch committed on its own, so a run that
/// stops is resumed by running it again (what is left is exactly the rows still on the old model).
/// Batches walk the primary key (account_id, id) from where the last one stopped: one pass over the
/// table, not one scan per batch. When the configured model has another dimension, the column loses
/// its dimension (and its HNSW indexes) while both kinds of vector live in it, and gets the new one
/// back when the last row is done (the index maintainer rebuilds tenant indexes); only then is the model recorded in
/// <c>parley_settings</c> and the server will start with it. Servers still on the old model meanwhile
/// search correctly the accounts not yet re-embedded.
/// </summary>
public sealed partial class ReEmbedder(
    [FromKeyedServices(DataSourceKeys.Vector)] NpgsqlDataSource dataSource,
    VectorSchema schema,
    TenantPlanner planner,
    ILogger<ReEmbedder> logger)
{
    /// <summary>The design's global HNSW index of the first migration, dropped by a later one (docs/scaling.md): never rebuilt.</summary>
    public const string GlobalIndex = "knowledge_chunks_embedding_hnsw";

    /// <summary>Re-embedding is background work: calls and searches go first at the model.</summary>
    private static readonly EmbeddingGenerationOptions Background = new()
    {
        AdditionalProperties = new() { [EmbeddingProperties.Priority] = EmbeddingPriority.Background },
    };

    /// <summary>Chunks of <paramref name="account"/> (or of every account) whose vectors come from another model.</summary>
    public async Task<long> CountRemainingAsync(AccountId? account, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account is { } a ? TenantScope.For(a) : TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("SELECT count(*) FROM knowledge_chunks WHERE embedding_model <> $1 AND ($2::uuid IS NULL OR account_id = $2)")
        {
            Parameters = { new() { Value = schema.Model }, new() { Value = (object?)account?.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0);
    }

    /// <param name="generator">The configured model, without the embedding cache (chunk texts are not worth caching).</param>
    public async Task<ReEmbedResult> RunAsync(IEmbeddingGenerator<string, Embedding<float>> generator, AccountId? account, int batchSize,
        IProgress<ReEmbedProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (fromModel, _) = await RecordedAsync(cancellationToken);
        var total = await CountRemainingAsync(account, cancellationToken);
        progress?.Report(new ReEmbedProgress(0, total));
        if (total > 0 && await ColumnDimensionsAsync(cancellationToken) is var dims && dims != -1 && dims != schema.Dimensions)
        {
            await RelaxColumnAsync(cancellationToken);
        }
        long done = 0;
        (Guid Account, Guid Id) after = (Guid.Empty, Guid.Empty);
        while (true)
        {
            var rows = await NextBatchAsync(account, after, batchSize, cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }
            var generated = await generator.GenerateAsync(rows.Select(r => r.Content), Background, cancellationToken);
            var vectors = generated.Select(g => g.Vector.ToArray()).ToList();
            if (vectors.Any(v => v.Length != schema.Dimensions))
            {
                throw new InvalidOperationException($"The model '{schema.Model}' returned {vectors.First(v => v.Length != schema.Dimensions).Length} dimensions; it is configured for {schema.Dimensions}.");
            }
            await WriteAsync(account, rows, vectors, cancellationToken);
            done += rows.Count;
            after = (rows[^1].Account, rows[^1].Id);
            progress?.Report(new ReEmbedProgress(done, Math.Max(total, done)));
        }
        var remaining = await CountRemainingAsync(null, cancellationToken);
        var switched = remaining == 0 && await SwitchAsync(cancellationToken);
        LogDone(logger, done, fromModel, schema.Model, remaining);
        return new ReEmbedResult(done, remaining, switched, fromModel, schema.Model);
    }

    private sealed record Row(Guid Account, Guid Id, string Content);

    private async Task<List<Row>> NextBatchAsync(AccountId? account, (Guid Account, Guid Id) after, int limit, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account is { } a ? TenantScope.For(a) : TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("""
            SELECT account_id, id, content FROM knowledge_chunks
            WHERE embedding_model <> $1 AND (account_id, id) > ($2, $3) AND ($4::uuid IS NULL OR account_id = $4)
            ORDER BY account_id, id
            LIMIT $5
            """)
        {
            Parameters =
            {
                new() { Value = schema.Model }, new() { Value = after.Account }, new() { Value = after.Id },
                new() { Value = (object?)account?.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid }, new() { Value = limit },
            },
        });
        var rows = new List<Row>(limit);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new Row(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)));
        }
        return rows;
    }

    /// <summary>One batch in one transaction: the new vectors, and a knowledge version bump per account (cached answers were found with the old model).</summary>
    private async Task WriteAsync(AccountId? account, List<Row> rows, List<float[]> vectors, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.ForTenant(account is { } a ? TenantScope.For(a) : TenantScope.Platform).CreateBatch();
        batch.Add(new NpgsqlBatchCommand("""
            UPDATE knowledge_chunks c SET embedding = u.embedding, embedding_model = $1
            FROM unnest($2::uuid[], $3::uuid[], $4::vector[]) AS u(account_id, id, embedding)
            WHERE c.account_id = u.account_id AND c.id = u.id
            """)
        {
            Parameters =
            {
                new() { Value = schema.Model }, new() { Value = rows.Select(r => r.Account).ToArray() },
                new() { Value = rows.Select(r => r.Id).ToArray() }, new() { Value = vectors.Select(v => new Vector(v)).ToArray() },
            },
        });
        batch.Add(new NpgsqlBatchCommand("UPDATE knowledge_tenant_stats SET version = version + 1, updated_at = now() WHERE account_id = ANY($1)")
        {
            Parameters = { new() { Value = rows.Select(r => r.Account).Distinct().ToArray() } },
        });
        // A multi-statement batch is one implicit transaction: the vectors and the version bump land together.
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<(string Model, int Dimensions)> RecordedAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT key, value FROM parley_settings WHERE key IN ('embedding_model', 'embedding_dimensions')");
        var settings = new Dictionary<string, string>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            settings[reader.GetString(0)] = reader.GetString(1);
        }
        return (settings.GetValueOrDefault("embedding_model", "?"), int.TryParse(settings.GetValueOrDefault("embedding_dimensions"), out var d) ? d : 0);
    }

    /// <summary>The dimension declared on the column (<c>vector(d)</c>), or -1 while it has none (mid-switch).</summary>
    public async Task<int> ColumnDimensionsAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT atttypmod FROM pg_attribute WHERE attrelid = 'knowledge_chunks'::regclass AND attname = 'embedding'");
        return (int)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
