using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Knowledge.Search;
using Pgvector;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>Loading the corpus, the naive plan's index and query, and clean-up.</summary>
public sealed partial class SearchBenchmark
{
    private const int RowsPerDocument = 5000;

    /// <summary>
    /// Parley's own write path (one batch per document), two loaders per core: while one waits for its
    /// batch to commit, another has work for the core. Each loader owns whole tenants: two writers of
    /// one tenant would race on its chunk count.
    /// </summary>
    private async Task<double> LoadAsync(NpgsqlDataSource ds, List<Tenant> tenants, ProgressTask progress, CancellationToken cancellationToken)
    {
        var ingestion = services.GetRequiredService<KnowledgeIngestion>();
        await CreateAccountsAsync(ds, tenants, cancellationToken);
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = 2 * Environment.ProcessorCount, CancellationToken = cancellationToken }, async (t, ct) =>
        {
            foreach (var (part, i) in t.Rows.Chunk(RowsPerDocument).Select((p, i) => (p, i)))
            {
                var rows = part.Select((r, o) => new KnowledgeIngestion.ChunkRow(r.Id, o, $"synthetic chunk {o}", "{}", r.Vector)).ToList();
                await ingestion.WriteAsync(TenantScope.For(t.Id), Guid.CreateVersion7(), new IngestRequest($"bench-{i}", $"bench {i}", new ExtractedDocument(null, [])),
                    [(byte)i], "{}", rows, ct);
                progress.Increment(part.Length);
            }
        });
        return progress.MaxValue / sw.Elapsed.TotalSeconds;
    }

    /// <summary>A pool as the design's service opens it: the same database, none of the vector pool's session settings.</summary>
    private NpgsqlDataSource DesignDataSource()
    {
        var csb = new NpgsqlConnectionStringBuilder(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
        {
            ApplicationName = "parley-bench-naive",
            MaxPoolSize = 20,
            MaxAutoPrepare = 0,
        };
        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    private static async Task VacuumAnalyzeAsync(NpgsqlDataSource ds, ProgressTask progress, CancellationToken cancellationToken)
    {
        // Only the owner may vacuum or analyze (as the server's role VACUUM just warns and skips).
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("VACUUM (ANALYZE) knowledge_chunks", conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        progress.Increment(1);
    }

    private const string NaiveTable = "bench_naive_chunks";

    /// <summary>
    /// The design's table: the corpus's rows in its columns, under the same row-level security as
    /// knowledge_chunks, in the same form (the platform test as an init plan, once per statement: as a
    /// bare call it ran once per row and cost the naive plan's exact scans three times their time).
    /// </summary>
    private static async Task CopyToNaiveTableAsync(NpgsqlDataSource ds, List<Tenant> tenants, int dimensions, ProgressTask progress, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand($"""
            DROP TABLE IF EXISTS {NaiveTable};
            CREATE TABLE {NaiveTable} (
              account_id uuid NOT NULL, id uuid NOT NULL, content text NOT NULL, metadata jsonb NOT NULL DEFAULT jsonb_build_object(),
              embedding vector({dimensions}) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, id));
            ALTER TABLE {NaiveTable} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON {NaiveTable}
              USING (account_id = parley_current_account() OR (SELECT parley_is_platform()))
              WITH CHECK (account_id = parley_current_account() OR (SELECT parley_is_platform()));
            """, conn))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = new NpgsqlCommand($"""
            INSERT INTO {NaiveTable} (account_id, id, content, metadata, embedding)
            SELECT account_id, id, content, metadata, embedding FROM knowledge_chunks WHERE account_id = ANY($1)
            """, conn) { CommandTimeout = 0 })
        {
            copy.Parameters.Add(new() { Value = tenants.Select(t => t.Id.Value).ToArray() });
            await copy.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) {NaiveTable}", conn) { CommandTimeout = 0 })
        {
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        progress.Increment(1);
    }

    /// <summary>The design's index: one HNSW graph over every tenant's chunks. Built in bulk (faster than row by row) with room to fit in memory.</summary>
    private static async Task<double> BuildNaiveIndexAsync(NpgsqlDataSource ds, ProgressTask progress, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        var sw = Stopwatch.StartNew();
        await using (var cmd = new NpgsqlCommand($"""
            SET maintenance_work_mem = '4GB';
            SET max_parallel_maintenance_workers = {Environment.ProcessorCount};
            CREATE INDEX ON {NaiveTable} USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
            RESET maintenance_work_mem;
            RESET max_parallel_maintenance_workers;
            """, conn) { CommandTimeout = 0 })
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        progress.Increment(1);
        return sw.Elapsed.TotalSeconds;
    }

    private static async Task DropNaiveTableAsync(NpgsqlDataSource ds, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"DROP TABLE IF EXISTS {NaiveTable}", conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The design's query (id, content, metadata, similarity; the global HNSW index, a tenant filter,
    /// default ef_search unless the sweep sets one), read as Parley reads its own rows.
    /// </summary>
    private static async Task<List<Guid>> NaiveSearchAsync(NpgsqlDataSource ds, AccountId account, float[] q, int? efSearch, CancellationToken cancellationToken)
    {
        await using var batch = ds.ForTenant(TenantScope.For(account)).CreateBatch();
        if (efSearch is { } ef)
        {
            batch.Add(new NpgsqlBatchCommand("SELECT set_config('hnsw.ef_search', $1, true)")
            {
                Parameters = { new() { Value = ef.ToString(CultureInfo.InvariantCulture) } },
            });
        }
        batch.Add(new NpgsqlBatchCommand("""
            SELECT id, content, metadata, 1 - (embedding <=> $1) AS similarity
            FROM bench_naive_chunks
            WHERE account_id = $2
            ORDER BY embedding <=> $1
            LIMIT $3
            """)
        {
            Parameters = { new() { Value = new Vector(q) }, new() { Value = account.Value }, new() { Value = K } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (efSearch is not null)
        {
            await reader.NextResultAsync(cancellationToken);
        }
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
            _ = (reader.GetString(1), reader.GetFieldValue<JsonElement>(2), reader.GetDouble(3));
        }
        return ids;
    }

    /// <summary>The brute-force baseline: every row of the tenant, sorted by distance (no index can serve <c>+ 0</c>).</summary>
    private static async Task<LatencySummary> ExactScanAsync(NpgsqlDataSource ds, Tenant t, SyntheticCorpus corpus, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var q = corpus.Near(t.Topics, 0.9);
            await using var batch = ds.ForTenant(TenantScope.For(t.Id)).CreateBatch();
            batch.Add(new NpgsqlBatchCommand("SELECT id FROM knowledge_chunks WHERE account_id = $1 ORDER BY (embedding <=> $2) + 0 LIMIT 10")
            {
                Parameters = { new() { Value = t.Id.Value }, new() { Value = new Vector(q) } },
            });
            var sw = Stopwatch.StartNew();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                }
            }
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return LatencySummary.Of(samples);
    }

    /// <summary>Rows inserted one by one into the globally indexed table, each its own round trip and commit, as the design's generator does.</summary>
    private static async Task<double> NaiveInsertRateAsync(NpgsqlDataSource ds, Tenant t, SyntheticCorpus corpus, int count, ProgressTask progress, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.For(t.Id)).OpenConnectionAsync(cancellationToken);
        var ids = new List<Guid>(count);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await using var cmd = new NpgsqlCommand($"INSERT INTO {NaiveTable} (account_id, id, content, metadata, embedding) VALUES ($1, $2, 'naive', '{{}}', $3)", conn);
            ids.Add(Guid.CreateVersion7());
            cmd.Parameters.Add(new() { Value = t.Id.Value });
            cmd.Parameters.Add(new() { Value = ids[^1] });
            cmd.Parameters.Add(new() { Value = new Vector(corpus.Near(t.Topics, 0.9)) });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            progress.Increment(1);
        }
        var rate = count / sw.Elapsed.TotalSeconds;
        await using (var del = new NpgsqlCommand($"DELETE FROM {NaiveTable} WHERE account_id = $1 AND id = ANY($2)", conn))
        {
            del.Parameters.Add(new() { Value = t.Id.Value });
            del.Parameters.Add(new() { Value = ids.ToArray() });
            await del.ExecuteNonQueryAsync(cancellationToken);
        }
        return rate;
    }

    private static async Task CreateAccountsAsync(NpgsqlDataSource ds, List<Tenant> tenants, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("INSERT INTO accounts (id, name, plan, language, created_at, updated_at) SELECT unnest($1::uuid[]), 'bench', 'starter', 'english', now(), now()", conn);
        cmd.Parameters.Add(new() { Value = tenants.Select(t => t.Id.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task DeleteAccountsAsync(NpgsqlDataSource ds, List<Tenant> tenants, CancellationToken cancellationToken)
    {
        await using var conn = await ds.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        foreach (var t in tenants.Where(t => t.Class == "large"))
        {
            await using var drop = new NpgsqlCommand($"DROP INDEX IF EXISTS {TenantIndexMaintainer.IndexName(t.Id)}", conn);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var cmd = new NpgsqlCommand("DELETE FROM accounts WHERE id = ANY($1)", conn) { CommandTimeout = 0 };
        cmd.Parameters.Add(new() { Value = tenants.Select(t => t.Id.Value).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        AnsiConsole.MarkupLine("[grey]benchmark tenants deleted[/]");
    }
}
