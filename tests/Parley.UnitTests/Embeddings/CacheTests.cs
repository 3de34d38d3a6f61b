using Parley.Embeddings.Caching;
using Xunit;

namespace Parley.UnitTests.Embeddings;

public sealed class CacheTests
{
    [Fact]
    public void Eviction_keeps_the_bound_and_drops_the_least_recently_used()
    {
        var lru = new LruCache<string, int>(3);
        lru.Set("a", 1);
        lru.Set("b", 2);
        lru.Set("c", 3);
        Assert.True(lru.TryGet("a", out _));
        lru.Set("d", 4);
        Assert.Equal(3, lru.Count);
        Assert.False(lru.TryGet("b", out _));
        Assert.True(lru.TryGet("a", out var a));
        Assert.Equal(1, a);
        for (var i = 0; i < 1000; i++)
        {
            lru.Set($"k{i}", i);
        }
        Assert.Equal(3, lru.Count);
    }

    [Fact]
    public void Keys_ignore_whitespace_runs_and_unicode_form_but_not_model_or_case()
    {
        var k1 = EmbeddingCacheKey.Hash("m", "  Opening   hours\n on Sunday ");
        var k2 = EmbeddingCacheKey.Hash("m", "Opening hours on Sunday");
        Assert.Equal(k1, k2);
        Assert.Equal(EmbeddingCacheKey.Hash("m", "caf\u00e9"), EmbeddingCacheKey.Hash("m", "cafe\u0301"));
        Assert.NotEqual(k2, EmbeddingCacheKey.Hash("other", "Opening hours on Sunday"));
        Assert.NotEqual(k2, EmbeddingCacheKey.Hash("m", "opening hours on sunday"));
        Assert.Equal(32, k1.Length);
    }
}
