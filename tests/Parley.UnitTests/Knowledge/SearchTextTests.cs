using Parley.Knowledge.Search;
using Xunit;

namespace Parley.UnitTests.Knowledge;

/// <summary>The full-text half reads a question as any of its words, so a natural question still matches a chunk.</summary>
public sealed class SearchTextTests
{
    [Fact]
    public void A_question_becomes_its_words_joined_by_or()
    {
        Assert.Equal("How or can or get or the or original or code", SearchText.OrQuery("How can I get the original code?"));
    }

    [Fact]
    public void Lone_letters_and_the_word_or_itself_are_left_out_so_they_never_read_as_operators()
    {
        Assert.Equal("tea or coffee", SearchText.OrQuery("a tea or coffee, OR? x"));
    }

    [Fact]
    public void A_quoted_phrase_stays_one_quoted_term()
    {
        Assert.Equal("\"late checkout\" or price", SearchText.OrQuery("\"late checkout\" price"));
        Assert.True(SearchText.HasPhrase("is \"late checkout\" free"));
    }

    [Theory]
    [InlineData("late checkout")]
    [InlineData("an empty \"\" pair")]
    [InlineData("only \"?!\" marks")]
    [InlineData(null)]
    public void Words_without_quotes_or_quotes_around_no_word_are_not_a_phrase(string? question)
    {
        Assert.False(SearchText.HasPhrase(question));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("? ! ,")]
    [InlineData("a I or")]
    public void A_question_with_no_content_word_is_an_empty_query(string? question)
    {
        Assert.Equal("", SearchText.OrQuery(question));
    }

    [Fact]
    public void Digits_and_letters_of_any_script_are_words()
    {
        Assert.Equal("Zimmer or 204 or 東京", SearchText.OrQuery("Zimmer 204, 東京?"));
    }
}
