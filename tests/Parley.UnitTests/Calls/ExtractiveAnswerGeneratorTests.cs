using System.Text.Json;
using Parley.Calls.Providers;
using Parley.Domain.Knowledge;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>The local answer: the sentences of the passages that share most content words with the question, nothing made up.</summary>
public sealed class ExtractiveAnswerGeneratorTests
{
    private static SearchHit Hit(string content, double similarity = 0.8) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "doc", content, JsonDocument.Parse("{}").RootElement, similarity);

    private static string Answer(string question, double minSimilarity, params SearchHit[] passages) =>
        ExtractiveAnswerGenerator.Compose(new AnswerContext("", question, passages, [], minSimilarity));

    [Fact]
    public void The_sentence_sharing_most_words_with_the_question_wins_over_a_better_ranked_passage()
    {
        var answer = Answer("When do guided tours leave?", 0.5,
            Hit("The museum opens at nine. Tickets cost ten euros.", 0.9),
            Hit("Guided tours of the museum leave hourly from the lobby.", 0.8));
        Assert.Equal("Guided tours of the museum leave hourly from the lobby.", answer);
    }

    [Fact]
    public void A_second_sentence_is_added_only_when_it_also_shares_a_word_with_the_question()
    {
        Assert.Equal("Parking is free after six. The parking garage is on Elm Street.",
            Answer("Where is parking?", 0.5, Hit("Parking is free after six. The parking garage is on Elm Street. The cafe serves soup.")));
        Assert.Equal("Every room has a balcony.",
            Answer("Do the rooms have balconies?", 0.5, Hit("Guests love the view. Every room has a balcony.")));
    }

    [Fact]
    public void Words_that_carry_no_topic_do_not_pick_the_sentence()
    {
        var answer = Answer("Can you tell me about the parking?", 0.5,
            Hit("You can tell the time by the clock on the tower. Parking is free after six."));
        Assert.Equal("Parking is free after six.", answer);
    }

    [Fact]
    public void The_heading_line_of_a_chunk_is_never_said_out_loud()
    {
        var answer = Answer("When does the parking garage open?", 0.5, Hit("Parking > Garage\nThe garage opens at seven."));
        Assert.Equal("The garage opens at seven.", answer);
    }

    [Fact]
    public void Passages_under_the_agents_threshold_are_not_used_and_one_at_it_is()
    {
        Assert.Equal(ExtractiveAnswerGenerator.DontKnow, Answer("Is there parking?", 0.5, Hit("Parking is free after six.", 0.49)));
        Assert.Equal(ExtractiveAnswerGenerator.DontKnow, Answer("Is there parking?", 0.5));
        Assert.Equal("Parking is free after six.", Answer("Is there parking?", 0.5, Hit("Parking is free after six.", 0.5)));
    }

    [Fact]
    public void A_long_answer_is_cut_at_a_word_boundary_within_260_characters()
    {
        var sentence = string.Join(' ', Enumerable.Repeat("the ferry to the island leaves the harbour", 12)) + ".";
        var answer = Answer("When does the ferry leave?", 0.5, Hit(sentence));

        Assert.EndsWith("…", answer, StringComparison.Ordinal);
        var kept = answer[..^1];
        Assert.InRange(kept.Length, 200, 260);
        Assert.StartsWith(kept, sentence, StringComparison.Ordinal);
        Assert.Equal(' ', sentence[kept.Length]);
    }

    [Fact]
    public void Two_sentences_that_would_pass_260_characters_together_are_not_joined()
    {
        // 130 + 1 + 130 characters: one over the limit with the space between them.
        var first = "Ferry " + new string('a', 117) + " ferry.";
        var second = "Ferry " + new string('b', 117) + " ferry.";
        Assert.Equal(130, first.Length);
        Assert.Equal(first, Answer("ferry", 0.5, Hit(first + " " + second)));
    }

    [Theory]
    [InlineData("Parking is free after six.")]
    [InlineData(" leading space")]
    [InlineData("one")]
    public void Word_pieces_joined_give_the_text_back_and_each_after_the_first_starts_at_a_space(string text)
    {
        var pieces = ExtractiveAnswerGenerator.WordPieces(text).ToList();
        Assert.Equal(text, string.Concat(pieces));
        Assert.Equal(text.Trim().Split(' ').Length, pieces.Count);
        Assert.All(pieces.Skip(1), p => Assert.StartsWith(" ", p, StringComparison.Ordinal));
        Assert.Empty(ExtractiveAnswerGenerator.WordPieces(""));
    }

    [Fact]
    public async Task The_stream_is_the_answer_word_by_word_and_stops_when_cancelled()
    {
        var generator = new ExtractiveAnswerGenerator();
        var context = new AnswerContext("", "Where is parking?", [Hit("Parking is free after six. The parking garage is on Elm Street.")], [], 0.5);
        var pieces = new List<string>();
        await foreach (var piece in generator.StreamAsync(context, CancellationToken.None))
        {
            pieces.Add(piece);
        }
        Assert.Equal(12, pieces.Count);
        Assert.Equal((await generator.AnswerAsync(context, CancellationToken.None)).Text, string.Concat(pieces));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in generator.StreamAsync(context, cancelled.Token))
            {
            }
        });
    }
}
