using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Parley.Data;
using Parley.Domain;
using Parley.Embeddings;
using Parley.IntegrationTests.Knowledge;
using Parley.Knowledge;
using Parley.Knowledge.Maintenance;
using Parley.Testing;
using Parley.Transactional;
using Parley.Transactional.Persistence;
using Xunit;

namespace Parley.IntegrationTests.Embeddings;

/// <summary>Switching the deployment's embedding model with <c>parley reembed</c>: per account, interrupted, resumed, finished.</summary>
public sealed class ReembedTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private const int Dimensions = 64;

    private Dictionary<string, string?> NewModel(Uri server) => new()
    {
        ["ConnectionStrings:Parley"] = db.ConnectionString,
        ["Parley:Embeddings:Provider"] = "openai",
        ["Parley:Embeddings:BaseUrl"] = new Uri(server, "v1").ToString(),
        ["Parley:Embeddings:ApiKey"] = "sk-test",
        ["Parley:Embeddings:Model"] = FakeEmbeddingServer.Model,
        ["Parley:Embeddings:Dimensions"] = Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Embeddings:WarmUp"] = "false",
        ["Parley:Embeddings:PersistentCache"] = "false",
    };

    /// <summary>The composition <c>parley reembed</c> runs in (the CLI's host), configured for the new model.</summary>
    private static IHost CliLikeHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddParleyData();
        builder.AddParleyEmbeddings();
        builder.AddParleyTransactional();
        builder.AddParleyKnowledge(maintainIndexes: false);
        return builder.Build();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Reembedding_moves_every_chunk_to_the_new_model_resumably_and_the_server_then_starts_and_searches_with_it()
    {
        // Two tenants' knowledge embedded by the local all-MiniLM-L6-v2 (384 dimensions).
        var docs = Directory.GetFiles(Path.Combine(KnowledgeApiTests.RepoRoot(), "demo", "knowledge"), "*.md").Order().ToArray();
        var tenants = new List<(Guid Id, string Key)>();
        await using (var oldServer = new ParleyAppFactory(db.ConnectionString))
        {
            var admin = oldServer.CreateClient();
            admin.DefaultRequestHeaders.Authorization = new("Bearer", ParleyAppFactory.AdminKey);
            foreach (var (name, files) in new[] { ("A", docs[..4]), ("B", docs[4..10]) })
            {
                var account = await (await admin.PostAsJsonAsync("/v1/accounts", new { name })).Content.ReadFromJsonAsync<JsonElement>();
                var client = oldServer.CreateClient();
                client.DefaultRequestHeaders.Authorization = new("Bearer", account.GetProperty("apiKey").GetString());
                foreach (var file in files)
                {
                    using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) } };
                    (await client.PostAsync("/v1/knowledge/documents", form)).EnsureSuccessStatusCode();
                }
                tenants.Add((account.GetProperty("account").GetProperty("id").GetGuid(), account.GetProperty("apiKey").GetString()!));
            }
        }
        var (a, b) = (new AccountId(tenants[0].Id), new AccountId(tenants[1].Id));
        var chunksA = await ScalarAsync($"SELECT count(*) FROM knowledge_chunks WHERE account_id = '{a.Value}'");
        var chunksB = await ScalarAsync($"SELECT count(*) FROM knowledge_chunks WHERE account_id = '{b.Value}'");
        Assert.True(chunksA > 4 && chunksB > 4);
        Assert.Equal(chunksA + chunksB, await ScalarAsync("SELECT count(*) FROM knowledge_chunks WHERE embedding_model = 'all-MiniLM-L6-v2'"));

        await using var model = await FakeEmbeddingServer.StartAsync(Dimensions);
        var settings = NewModel(model.BaseUrl);
        using var host = CliLikeHost(settings);
        var migrator = host.Services.GetRequiredService<DatabaseMigrator>();
        // Configured for the new model, a server refuses the database until the switch is done.
        await Assert.ThrowsAsync<DatabaseSchemaException>(() => migrator.MigrateAsync(CancellationToken.None));
        await migrator.MigrateAsync(verifyModel: false, CancellationToken.None);
        var reembedder = host.Services.GetRequiredService<ReEmbedder>();
        var generator = host.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingsHostingExtensions.UncachedKey);

        // One account: only its rows move; the column has no dimension while both kinds of vector are in it.
        var first = await reembedder.RunAsync(generator, a, batchSize: 3, null, CancellationToken.None);
        Assert.Equal((chunksA, chunksB, false), (first.ReEmbedded, first.Remaining, first.Switched));
        Assert.Equal(chunksA, await ScalarAsync($"SELECT count(*) FROM knowledge_chunks WHERE account_id = '{a.Value}' AND embedding_model = '{FakeEmbeddingServer.Model}' AND vector_dims(embedding) = {Dimensions}"));
        Assert.Equal(chunksB, await ScalarAsync($"SELECT count(*) FROM knowledge_chunks WHERE account_id = '{b.Value}' AND embedding_model = 'all-MiniLM-L6-v2' AND vector_dims(embedding) = 384"));
        Assert.Equal(-1, await reembedder.ColumnDimensionsAsync(CancellationToken.None));
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE indexname = '{ReEmbedder.GlobalIndex}'"));

        // --all, stopped after its first batch: what is left is exactly what is still on the old model.
        using (var stop = new CancellationTokenSource())
        {
            var progress = new Progress(p =>
            {
                if (p.Done > 0)
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reembedder.RunAsync(generator, null, batchSize: 2, progress, stop.Token));
        }
        var left = await reembedder.CountRemainingAsync(null, CancellationToken.None);
        Assert.Equal(chunksB - 2, left);

        // Run again: it resumes, finishes, and the deployment switches.
        var reports = new List<ReEmbedProgress>();
        var last = await reembedder.RunAsync(generator, null, batchSize: 2, new Progress(reports.Add), CancellationToken.None);
        Assert.Equal((left, 0L, true), (last.ReEmbedded, last.Remaining, last.Switched));
        Assert.Equal(new ReEmbedProgress(left, left), reports[^1]);
        Assert.Equal(chunksA + chunksB, await ScalarAsync($"SELECT count(*) FROM knowledge_chunks WHERE embedding_model = '{FakeEmbeddingServer.Model}' AND vector_dims(embedding) = {Dimensions}"));
        Assert.Equal(Dimensions, await reembedder.ColumnDimensionsAsync(CancellationToken.None));
        // The design's global index stays gone: no plan reads it (docs/scaling.md).
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM pg_indexes WHERE indexname = '{ReEmbedder.GlobalIndex}'"));
        Assert.Equal(Dimensions, await ScalarAsync("SELECT value::int FROM parley_settings WHERE key = 'embedding_dimensions'"));
        await migrator.MigrateAsync(CancellationToken.None);

        // A server configured for the new model starts and searches with it.
        await using var newServer = new ParleyAppFactory(db.ConnectionString, settings);
        var tenantA = newServer.CreateClient();
        tenantA.DefaultRequestHeaders.Authorization = new("Bearer", tenants[0].Key);
        var found = await (await tenantA.PostAsJsonAsync("/v1/knowledge/search", new { query = "parking", topK = 5 })).Content.ReadFromJsonAsync<JsonElement>();
        var hit = found.GetProperty("results")[0];
        var again = await (await tenantA.PostAsJsonAsync("/v1/knowledge/search", new { query = hit.GetProperty("content").GetString(), topK = 3 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(hit.GetProperty("chunkId").GetGuid(), again.GetProperty("results")[0].GetProperty("chunkId").GetGuid());
        Assert.Equal(1.0, again.GetProperty("results")[0].GetProperty("similarity").GetDouble(), 3);
    }

    private sealed class Progress(Action<ReEmbedProgress> report) : IProgress<ReEmbedProgress>
    {
        public void Report(ReEmbedProgress value) => report(value);
    }
}
