using System.Text;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Xunit;

namespace Parley.UnitTests.Knowledge;

public sealed class ChunkerTests
{
    private static readonly Chunker Chunker = new(200, 40);

    private static ExtractedDocument Paragraph(string text) => new(null, [new Section([], [text])]);

    /// <summary>Chinese sentences with no space anywhere, as written.</summary>
    private static string Chinese(int sentences) => string.Concat(Enumerable.Range(0, sentences).Select(i =>
        $"第{i}号渡轮每天早上七点从东港出发，下午五点返回，自行车可以免费放在上层甲板{(i % 3 == 0 ? "吗？" : "。")}"));

    [Fact]
    public void Chinese_without_spaces_is_split_at_its_sentence_marks_into_chunks_that_fit()
    {
        var text = Chinese(300);
        var chunks = Chunker.Split(Paragraph(text));

        Assert.True(chunks.Count > 20, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.InRange(Chunker.EstimateTokens(c.Content), 1, 200));
        // Every chunk ends at a sentence mark, and no space was added between sentences.
        Assert.All(chunks, c => Assert.True(c.Content[^1] is '。' or '？', c.Content));
        Assert.All(chunks, c => Assert.DoesNotContain(' ', c.Content));
        // Nothing is lost: every sentence is in some chunk.
        Assert.All(Enumerable.Range(0, 300), i => Assert.Contains(chunks, c => c.Content.Contains($"第{i}号渡轮", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_run_with_no_boundary_at_all_is_cut_by_length_and_loses_nothing()
    {
        var text = string.Concat(Enumerable.Repeat("東京湾の渡し船は朝七時に出る", 800));
        var chunks = new Chunker(200, 0).Split(Paragraph(text));

        Assert.True(chunks.Count >= 40, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.InRange(Chunker.EstimateTokens(c.Content), 150, 200));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
    }

    [Fact]
    public void Thai_and_a_long_base64_blob_are_cut_by_length_too()
    {
        var thai = string.Concat(Enumerable.Repeat("เรือข้ามฟากออกเดินทางเวลาเจ็ดโมงเช้าทุกวัน", 400));
        var blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('x', 30_000)));
        foreach (var text in new[] { thai, blob })
        {
            var chunks = new Chunker(200, 0).Split(Paragraph(text));
            Assert.True(chunks.Count > 1);
            Assert.All(chunks, c => Assert.True(Chunker.EstimateTokens(c.Content) <= 200));
            Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
        }
    }

    [Fact]
    public void A_cut_never_falls_inside_a_surrogate_pair()
    {
        // U+20BB7 (𠮷) is two UTF-16 code units.
        var text = string.Concat(Enumerable.Repeat("𠮷野家", 3000));
        var chunks = new Chunker(200, 0).Split(Paragraph(text));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c.Content[^1]) || char.IsLowSurrogate(c.Content[0]), c.Content));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
    }

    [Fact]
    public void Each_han_and_kana_character_counts_as_a_word_piece()
    {
        Assert.Equal(7, Chunker.EstimateTokens("北京的天气很好"));
        Assert.Equal(4, Chunker.EstimateTokens("ABC東京!"));
        Assert.Equal(2, Chunker.EstimateTokens("harbour lights"));
    }

    [Fact]
    public void English_is_still_split_at_sentences_with_overlap()
    {
        var text = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"The ferry number {i} leaves the eastern harbour at seven in the morning."));
        var chunks = Chunker.Split(Paragraph(text));
        Assert.True(chunks.Count > 3);
        Assert.All(chunks, c => Assert.EndsWith(".", c.Content, StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.InRange(Chunker.EstimateTokens(c.Content), 1, 200));
    }
}
