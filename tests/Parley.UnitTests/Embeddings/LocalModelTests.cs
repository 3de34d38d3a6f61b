using Microsoft.Extensions.Logging.Abstractions;
using Parley.Embeddings.Local;
using Xunit;

namespace Parley.UnitTests.Embeddings;

public sealed class LocalModelTests
{
    private static readonly LocalMiniLmGenerator Model = new(NullLogger<LocalMiniLmGenerator>.Instance);

    [Fact]
    public async Task The_local_model_reproduces_the_all_MiniLM_L6_v2_reference_vector()
    {
        var result = await Model.GenerateAsync(["This is an example sentence"]);
        var v = result[0].Vector.ToArray();
        Assert.Equal(384, v.Length);
        double[] reference = [0.0677, 0.0635, 0.0487, 0.0793, 0.0374];
        for (var i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(reference[i] - v[i]) < 0.0006, $"value {i}: {v[i]} vs {reference[i]}");
        }
        Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public async Task A_batch_returns_one_vector_per_input_in_input_order()
    {
        string[] texts = ["What time do you open on Sunday?", "a", "The lobster linguine costs thirty-eight dollars.", "What time do you open on Sunday?"];
        var batch = await Model.GenerateAsync(texts);
        var single = await Model.GenerateAsync([texts[2]]);
        Assert.Equal(4, batch.Count);
        Assert.Equal(single[0].Vector.ToArray(), batch[2].Vector.ToArray(), new ToleranceComparer(1e-5f));
        Assert.Equal(batch[0].Vector.ToArray(), batch[3].Vector.ToArray());
    }

    [Fact]
    public async Task A_2000_word_input_is_truncated_to_256_word_pieces_not_rejected()
    {
        var words = string.Join(' ', Enumerable.Range(0, 2000).Select(i => $"harbor{i % 50} lights"));
        var truncated = Model.Truncate(words);
        Assert.True(truncated.Length < words.Length);
        Assert.StartsWith(truncated, words, StringComparison.Ordinal);
        var result = await Model.GenerateAsync([words]);
        Assert.Equal(384, result[0].Vector.Length);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
