using Microsoft.Extensions.Logging.Abstractions;
using Parley.Embeddings.Local;
using Xunit;

namespace Parley.UnitTests.Embeddings;

public sealed class LocalModelTests
{
    private static readonly LocalMiniLmGenerator Model = new(NullLogger<LocalMiniLmGenerator>.Instance);
    private static readonly LocalMiniLmGenerator Wrapper = new(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 1, LocalRuntime.Wrapper);

    [Theory]
    [InlineData(LocalRuntime.Onnx)]
    [InlineData(LocalRuntime.Wrapper)]
    public async Task The_local_model_reproduces_the_all_MiniLM_L6_v2_reference_vector(LocalRuntime runtime)
    {
        var model = runtime == LocalRuntime.Wrapper ? Wrapper : Model;
        Assert.Equal(runtime, model.Runtime);
        var result = await model.GenerateAsync(["This is an example sentence"]);
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
    public async Task Onnx_runtime_directly_and_the_package_wrapper_give_the_same_vectors_for_short_and_long_texts()
    {
        string[] texts =
        [
            "Hi", "Do you have gluten-free bread?", "Harbor Lights Bistro - Pier Road, Port Ellery. Lobster linguine!",
            string.Join(' ', Enumerable.Range(0, 180).Select(i => $"word{i % 37} of the seafood menu")),
        ];
        var direct = await Model.GenerateAsync(texts);
        var wrapped = await Wrapper.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(wrapped[i].Vector.ToArray(), direct[i].Vector.ToArray(), new ToleranceComparer(1e-4f));
        }
    }

    [Fact]
    public async Task The_direct_runtime_strips_accents_as_the_model_s_reference_tokenizer_does_and_the_wrapper_does_not()
    {
        // all-MiniLM-L6-v2's tokenizer lowercases and strips accents ("café" is "cafe"); the package's
        // wrapper cuts "café" into "caf" and an unknown token instead.
        var direct = await Model.GenerateAsync(["Café crème brûlée", "Cafe creme brulee"]);
        Assert.Equal(direct[0].Vector.ToArray(), direct[1].Vector.ToArray(), new ToleranceComparer(1e-6f));
        var wrapped = await Wrapper.GenerateAsync(["Café crème brûlée", "Cafe creme brulee"]);
        Assert.NotEqual(wrapped[0].Vector.ToArray(), wrapped[1].Vector.ToArray(), new ToleranceComparer(1e-3f));
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

    [Theory]
    [InlineData("zh")]
    [InlineData("ja")]
    [InlineData("th")]
    public async Task A_long_text_without_spaces_is_cut_to_a_prefix_that_fits_never_to_nothing(string script)
    {
        var text = script switch
        {
            "zh" => string.Concat(Enumerable.Repeat("北京的天气很好今天适合去公园散步", 100)),
            "ja" => string.Concat(Enumerable.Repeat("東京湾の渡し船は朝七時に出る", 100)),
            _ => string.Concat(Enumerable.Repeat("เรือข้ามฟากออกเดินทางเวลาเจ็ดโมงเช้า", 100)),
        };
        var truncated = Model.Truncate(text);
        Assert.NotEmpty(truncated);
        Assert.StartsWith(truncated, text, StringComparison.Ordinal);
        Assert.InRange(Model.CountWordPieces(truncated), 2, LocalMiniLmGenerator.MaxWordPieces);
        var vector = (await Model.GenerateAsync([text]))[0].Vector.ToArray();
        // Not the embedding of the empty string: the text itself was read.
        Assert.NotEqual((await Model.GenerateAsync([""]))[0].Vector.ToArray(), vector);
    }

    [Fact]
    public void Three_hundred_han_characters_are_over_the_limit_although_short()
    {
        var text = string.Concat(Enumerable.Repeat("北京的天气很好", 43));
        Assert.True(text.Length < 600);
        Assert.True(Model.CountWordPieces(Model.Truncate(text)) <= LocalMiniLmGenerator.MaxWordPieces);
        Assert.True(Model.Truncate(text).Length < text.Length);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
