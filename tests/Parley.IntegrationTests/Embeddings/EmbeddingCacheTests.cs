using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using Parley.Embeddings;
using Parley.Embeddings.Caching;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Embeddings;

public sealed partial class EmbeddingCacheTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_repeat_is_a_tier_1_hit_and_after_a_restart_a_tier_2_hit()
    {
        const string text = "Do you have gluten-free bread?";
        var account = await NewAccountAsync(db);
        var asAccount = For(account);
        float[] first;
        using (var host = EmbeddingHost.Build(db.ConnectionString))
        {
            await host.StartAsync();
            var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var metrics = host.Services.GetRequiredService<EmbeddingMetrics>();
            using var hits = new MetricCollector<long>(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), EmbeddingMetrics.MeterName, "parley.embedding.cache.hits");
            first = (await generator.GenerateVectorAsync(text, asAccount)).ToArray();
            Assert.Equal(1, metrics.Misses);
            var again = (await generator.GenerateVectorAsync(text, asAccount)).ToArray();
            Assert.Equal(first, again);
            Assert.Equal(1, metrics.Tier1Hits);
            var measurement = Assert.Single(hits.GetMeasurementSnapshot());
            Assert.Equal(1, measurement.Tags["tier"]);
            Assert.Equal(account.ToString(), measurement.Tags["parley.account.id"]);
            await host.Services.GetRequiredService<EmbeddingCacheStore>().FlushAsync(CancellationToken.None);
            await host.StopAsync();
        }

        await using (var ds = db.CreateSuperuserDataSource())
        {
            await using var count = ds.CreateCommand($"SELECT count(*) FROM embedding_cache WHERE model = 'all-MiniLM-L6-v2' AND account_id = '{account}'");
            Assert.Equal(1L, await count.ExecuteScalarAsync());
        }

        using (var host = EmbeddingHost.Build(db.ConnectionString))
        {
            await host.StartAsync();
            var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var metrics = host.Services.GetRequiredService<EmbeddingMetrics>();
            var restored = (await generator.GenerateVectorAsync("  Do you have   gluten-free bread? ", asAccount)).ToArray();
            Assert.Equal(first, restored);
            Assert.Equal(1, metrics.Tier2Hits);
            Assert.Equal(0, metrics.Misses);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Waiting_for_cache_writes_of_a_store_that_never_started_fails_at_once_instead_of_hanging()
    {
        using var host = EmbeddingHost.Build(db.ConnectionString);
        var store = host.Services.GetRequiredService<EmbeddingCacheStore>();
        store.EnqueueWrite(new Parley.Domain.AccountId(Guid.NewGuid()), "all-MiniLM-L6-v2", new byte[32], new float[384]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token));
        Assert.Contains("not running", e.Message);
        Assert.Equal(1, store.Backlog);
    }

    [Fact]
    public async Task Identical_texts_in_one_batch_are_embedded_once()
    {
        using var host = EmbeddingHost.Build(db.ConnectionString, new Dictionary<string, string?> { ["Parley:Embeddings:PersistentCache"] = "false" });
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var metrics = host.Services.GetRequiredService<EmbeddingMetrics>();
        var result = await generator.GenerateAsync(["same words here", "same  words here", "other words"]);
        Assert.Equal(3, result.Count);
        Assert.Equal(result[0].Vector.ToArray(), result[1].Vector.ToArray());
        Assert.Equal(3, metrics.Misses);
    }
}
