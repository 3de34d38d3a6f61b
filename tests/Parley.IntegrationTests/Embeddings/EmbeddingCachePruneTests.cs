using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Embeddings.Caching;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Embeddings;

/// <summary>A database of its own: the caps count every entry of the table.</summary>
public sealed class EmbeddingCachePruneTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Pruning_drops_entries_unused_past_the_age_limit_then_the_least_recently_used_past_each_cap()
    {
        Guid big = await EmbeddingCacheTests.NewAccountAsync(db), small = await EmbeddingCacheTests.NewAccountAsync(db);
        await using (var su = db.CreateSuperuserDataSource())
        {
            // big: two entries unused for 40 days, five used 1..5 minutes ago; small: two used 10 and 11 minutes ago.
            (Guid Account, byte Hash, double MinutesAgo)[] rows =
                [(big, 1, 40 * 1440), (big, 2, 40 * 1440), (big, 3, 1), (big, 4, 2), (big, 5, 3), (big, 6, 4), (big, 7, 5), (small, 8, 10), (small, 9, 11)];
            foreach (var (account, hash, ago) in rows)
            {
                await using var cmd = su.CreateCommand("""
                    INSERT INTO embedding_cache (account_id, model, text_hash, embedding, last_hit_at)
                    VALUES ($1, 'prune-test', $2, '[1,2,3]', now() - $3 * interval '1 minute')
                    """);
                cmd.Parameters.Add(new NpgsqlParameter { Value = account });
                cmd.Parameters.Add(new NpgsqlParameter { Value = new[] { hash } });
                cmd.Parameters.Add(new NpgsqlParameter { Value = ago });
                await cmd.ExecuteNonQueryAsync();
            }
        }
        using var host = EmbeddingHost.Build(db.ConnectionString);
        var store = host.Services.GetRequiredService<EmbeddingCacheStore>();

        var pruned = await store.PruneAsync(TimeSpan.FromDays(30), perAccount: 3, total: 4, CancellationToken.None);

        Assert.Equal(5, pruned);
        var left = new List<byte>();
        await using (var su = db.CreateSuperuserDataSource())
        await using (var cmd = su.CreateCommand("SELECT text_hash FROM embedding_cache WHERE model = 'prune-test' ORDER BY text_hash"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                left.Add(reader.GetFieldValue<byte[]>(0)[0]);
            }
        }
        // Age: 1 and 2 go. big's cap of 3 keeps 3, 4, 5. The total cap of 4 then drops small's older entry, 9.
        Assert.Equal([3, 4, 5, 8], left);
    }
}
