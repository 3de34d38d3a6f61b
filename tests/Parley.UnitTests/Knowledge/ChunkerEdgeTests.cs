using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Xunit;

namespace Parley.UnitTests.Knowledge;

/// <summary>
/// The chunker's arithmetic, pinned exactly: where a chunk ends, what its overlap carries, what the heading
/// path costs, how a long sentence or word is cut, and where a space goes between two units.
/// </summary>
public sealed class ChunkerEdgeTests
{
    private static ExtractedDocument Document(params Section[] sections) => new(null, sections);

    /// <summary>Paragraph i of five word pieces: "p{i} aa bb cc.".</summary>
    private static string[] FivePieceParagraphs(int count) => [.. Enumerable.Range(0, count).Select(i => $"p{i} aa bb cc.")];

    private static string Run(int from, int to) => string.Join(' ', Enumerable.Range(from, to - from + 1).Select(i => $"p{i} aa bb cc."));

    [Theory]
    [InlineData("harbour", 1)] // seven letters: one piece
    [InlineData("lighthouses", 2)] // eleven: one more for each six past the first two
    [InlineData("internationalisation", 4)]
    [InlineData("Hello, world.", 4)] // a punctuation mark is a piece of its own
    [InlineData("  \n\t ", 0)]
    public void A_word_is_one_piece_and_a_long_one_a_piece_more_per_six_letters(string text, int tokens) =>
        Assert.Equal(tokens, Chunker.EstimateTokens(text));

    [Fact]
    public void A_chunk_is_filled_up_to_its_budget_exactly_and_the_next_one_starts_with_the_overlap_that_fits()
    {
        // Budget 30: six paragraphs of five pieces fill a chunk; an overlap of 5 carries exactly the last one.
        var chunks = new Chunker(30, 5).Split(Document(new Section([], FivePieceParagraphs(12))));

        Assert.Equal([Run(0, 5), Run(5, 10), Run(10, 11)], chunks.Select(c => c.Content));
        Assert.Equal([0, 1, 2], chunks.Select(c => c.Ordinal));
        Assert.All(chunks, c => Assert.Empty(c.Headings));
    }

    [Fact]
    public void An_overlap_smaller_than_a_unit_carries_nothing()
    {
        var chunks = new Chunker(30, 4).Split(Document(new Section([], FivePieceParagraphs(12))));
        Assert.Equal([Run(0, 5), Run(6, 11)], chunks.Select(c => c.Content));
    }

    [Fact]
    public void The_heading_path_starts_every_chunk_of_its_section_and_its_pieces_come_out_of_the_budget()
    {
        // "Ferries\n" costs one piece: 29 are left, so five paragraphs fit, not six.
        var chunks = new Chunker(30, 0).Split(Document(
            new Section(["Ferries"], FivePieceParagraphs(7)),
            new Section(["Ferries", "Times"], ["Hourly."]),
            new Section([], ["Buses too."])));

        Assert.Equal(
            ["Ferries\n" + Run(0, 4), "Ferries\n" + Run(5, 6), "Ferries > Times\nHourly.", "Buses too."],
            chunks.Select(c => c.Content));
        Assert.Equal([0, 1, 2, 3], chunks.Select(c => c.Ordinal));
        Assert.Equal(["Ferries", "Ferries", "Ferries > Times", ""], chunks.Select(c => string.Join(" > ", c.Headings)));
    }

    [Fact]
    public void A_budget_below_twenty_pieces_is_raised_to_twenty()
    {
        var chunks = new Chunker(8, 0).Split(Document(new Section([], FivePieceParagraphs(8))));
        Assert.Equal([Run(0, 3), Run(4, 7)], chunks.Select(c => c.Content));
    }

    [Fact]
    public void A_paragraph_over_half_the_budget_is_split_into_its_sentences_and_one_of_exactly_half_is_not()
    {
        // Budget 30. Eight sentences of five pieces (40): split, six to a chunk, the last one carried.
        var sentences = string.Join(' ', Enumerable.Range(0, 8).Select(i => $"Boat {i} leaves daily."));
        var chunks = new Chunker(30, 5).Split(Document(new Section([], [sentences])));
        Assert.Equal(
            [string.Join(' ', Enumerable.Range(0, 6).Select(i => $"Boat {i} leaves daily.")),
             string.Join(' ', Enumerable.Range(5, 3).Select(i => $"Boat {i} leaves daily."))],
            chunks.Select(c => c.Content));

        // Two paragraphs of exactly 15 pieces stay whole, so the overlap (5) cannot carry the second one's last sentence.
        var half = "Boat one leaves daily. Boat two leaves daily. Boat six leaves daily.";
        Assert.Equal(15, Chunker.EstimateTokens(half));
        var whole = new Chunker(30, 5).Split(Document(new Section([], [half, half, "Buses run often."])));
        Assert.Equal([half + " " + half, "Buses run often."], whole.Select(c => c.Content));
    }

    [Fact]
    public void A_sentence_longer_than_the_budget_is_cut_into_runs_of_words_that_fill_it()
    {
        var words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        var chunks = new Chunker(20, 0).Split(Document(new Section([], [words])));
        Assert.Equal(
            [string.Join(' ', Enumerable.Range(0, 20).Select(i => $"w{i}")), string.Join(' ', Enumerable.Range(20, 10).Select(i => $"w{i}"))],
            chunks.Select(c => c.Content));
    }

    [Fact]
    public void The_runs_of_a_long_sentence_are_whole_units_so_the_overlap_carries_none_of_a_run_too_big_for_it()
    {
        // Cut word by word instead, the overlap of 3 would carry w17..w19 into the second chunk.
        var words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        var chunks = new Chunker(20, 3).Split(Document(new Section([], [words])));
        Assert.Equal(
            [string.Join(' ', Enumerable.Range(0, 20).Select(i => $"w{i}")), string.Join(' ', Enumerable.Range(20, 10).Select(i => $"w{i}"))],
            chunks.Select(c => c.Content));
    }

    [Fact]
    public void Two_long_words_in_a_row_are_each_cut_with_no_empty_unit_between_them()
    {
        var chunks = new Chunker(20, 0).Split(Document(new Section([], [new string('x', 200) + " " + new string('y', 200)])));
        Assert.Equal([new string('x', 121), new string('x', 79), new string('y', 121), new string('y', 79)], chunks.Select(c => c.Content));
    }

    [Fact]
    public void A_cut_by_length_that_would_split_a_surrogate_pair_ends_one_unit_earlier()
    {
        // "x" then pairs of U+20BB7 (two UTF-16 units, a piece each) and 野: the 200-piece prefix ends on a high surrogate.
        var text = "x" + string.Concat(Enumerable.Repeat("𠮷野", 1000));
        var chunks = new Chunker(200, 0).Split(Document(new Section([], [text])));

        Assert.Equal(199, chunks[0].Content.Length);
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c.Content[^1]) || char.IsLowSurrogate(c.Content[0]), c.Content));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Content)));
    }

    [Fact]
    public void A_section_with_no_paragraphs_makes_no_chunk() =>
        Assert.Empty(new Chunker(200, 40).Split(Document(new Section(["Empty"], []))));

    [Fact]
    public void A_word_longer_than_the_budget_ends_the_run_before_it_and_is_cut_into_the_longest_pieces_that_fit()
    {
        // 200 x's are 34 pieces; the longest prefix of at most 20 pieces is 121 characters (1 + 119 / 6 = 20).
        var chunks = new Chunker(20, 0).Split(Document(new Section([], ["alpha beta " + new string('x', 200) + " gamma"])));
        Assert.Equal(["alpha beta", new string('x', 121), new string('x', 79) + " gamma"], chunks.Select(c => c.Content));
    }

    [Theory]
    // Inside the scripts written without spaces: the first and last character of each range.
    [InlineData(0x2E80, true)]
    [InlineData(0x9FFF, true)]
    [InlineData(0xF900, true)]
    [InlineData(0xFAFF, true)]
    [InlineData(0xFF00, true)]
    [InlineData(0xFFEF, true)]
    [InlineData(0x0E00, true)]
    [InlineData(0x0EFF, true)]
    [InlineData(0xD800, true)]
    [InlineData(0xDFFF, true)]
    // Just outside them.
    [InlineData(0x2E7F, false)]
    [InlineData(0xA000, false)]
    [InlineData(0xF8FF, false)]
    [InlineData(0xFB00, false)]
    [InlineData(0xFEFF, false)]
    [InlineData(0xFFF0, false)]
    [InlineData(0x0DFF, false)]
    [InlineData(0x0F00, false)]
    [InlineData(0xD7FF, false)]
    [InlineData(0xE000, false)]
    public void Two_units_of_a_script_without_spaces_are_joined_without_one(int code, bool unspaced)
    {
        // A code unit, not a char, in the data: a lone surrogate does not survive the test case's serialisation.
        var unit = ((char)code).ToString();
        var chunk = Assert.Single(new Chunker(200, 0).Split(Document(new Section([], [unit, unit]))));
        Assert.Equal(unspaced ? unit + unit : unit + " " + unit, chunk.Content);
    }

    [Fact]
    public void A_space_separates_a_unit_without_spaces_from_one_with_them()
    {
        var chunk = Assert.Single(new Chunker(200, 0).Split(Document(new Section([], ["你好。", "Hello.", "再见。", "再见。"]))));
        Assert.Equal("你好。 Hello. 再见。再见。", chunk.Content);
    }
}
