using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Embeddings.Caching;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Embeddings;

public sealed partial class EmbeddingCacheTests
{
    internal static async Task<Guid> NewAccountAsync(DatabaseFixture db)
    {
        var id = Guid.NewGuid();
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("INSERT INTO accounts (id, name, plan, language, created_at, updated_at) VALUES ($1, 'Cache owner', 'free', 'en', now(), now())");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await cmd.ExecuteNonQueryAsync();
        return id;
    }

    private static EmbeddingGenerationOptions For(Guid account) =>
        new() { AdditionalProperties = new() { [CachingEmbeddingGenerator.AccountProperty] = account.ToString() } };

    private static async Task<int> TierAsync(IEmbeddingGenerator<string, Embedding<float>> generator, string text, Guid account) =>
        (int)(await generator.GenerateAsync([text], For(account)))[0].AdditionalProperties![CachingEmbeddingGenerator.TierProperty]!;

    private async Task<long> CachedAsync(Guid account)
    {
        await using var su = db.CreateSuperuserDataSource();
        await using var cmd = su.CreateCommand("SELECT count(*) FROM embedding_cache WHERE account_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = account });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_sentence_another_account_embedded_is_computed_again_not_served_from_its_cache_in_either_tier()
    {
        const string text = "Is the private dining room free on the 14th?";
        Guid first = await NewAccountAsync(db), second = await NewAccountAsync(db), third = await NewAccountAsync(db);
        using (var host = EmbeddingHost.Build(db.ConnectionString))
        {
            await host.StartAsync();
            var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            Assert.Equal(0, await TierAsync(generator, text, first));
            Assert.Equal(0, await TierAsync(generator, text, second));
            Assert.Equal(1, await TierAsync(generator, text, first));
            await host.Services.GetRequiredService<EmbeddingCacheStore>().FlushAsync(CancellationToken.None);
            await host.StopAsync();
        }
        using (var host = EmbeddingHost.Build(db.ConnectionString))
        {
            await host.StartAsync();
            var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            Assert.Equal(2, await TierAsync(generator, text, first));
            Assert.Equal(0, await TierAsync(generator, text, third));
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Deleting_a_document_purges_its_chunks_vectors_from_the_persistent_cache()
    {
        using var app = new ParleyAppFactory(db.ConnectionString);
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
        var created = await (await admin.PostAsJsonAsync("/v1/accounts", new { name = "Purge" })).Content.ReadFromJsonAsync<JsonElement>();
        var account = created.GetProperty("account").GetProperty("id").GetGuid();
        var tenant = app.CreateClient();
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("apiKey").GetString());
        var text = string.Join("\n\n", Enumerable.Range(0, 6).Select(i => $"Section {i}: the harbor ferry leaves pier {i} at {8 + i} o'clock, tides allowing."));
        var kept = await (await tenant.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Kept", text = "The bakery opens at seven on weekdays." }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var doomed = await (await tenant.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Ferries", text })).Content.ReadFromJsonAsync<JsonElement>();
        await app.Services.GetRequiredService<EmbeddingCacheStore>().FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var keptChunks = kept.GetProperty("chunks").GetInt32();
        Assert.Equal(keptChunks + doomed.GetProperty("chunks").GetInt32(), await CachedAsync(account));

        var deleted = await tenant.DeleteAsync($"/v1/knowledge/documents/{doomed.GetProperty("documentId").GetGuid()}");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());

        Assert.Equal(keptChunks, await CachedAsync(account));
    }
}
