using Parley.Calls.Conversation;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>
/// Each clause of the rewrite rule on a case that only that clause decides: a follow-up with no words of its
/// own, words it shares with the previous question, the openers and joiners of an asked-for action, the
/// forms of "be" before an existential "there", a clitic on the first word, a quote before a word.
/// </summary>
public sealed class FollowUpRewriterRuleTests
{
    [Fact]
    public void A_follow_up_with_no_words_of_its_own_asks_nothing_new_and_keeps_the_previous_action() =>
        Assert.Equal("book table: And what is it?", FollowUpRewriter.Rewrite("And what is it?", ["How do I book a table?"]).Text);

    [Fact]
    public void A_word_the_follow_up_repeats_is_not_carried_from_the_previous_question() =>
        Assert.Equal("eat free: And for kids?", FollowUpRewriter.Rewrite("And for kids?", ["Can kids eat free?"]).Text);

    [Theory]
    [InlineData("How can I rent or buy a bike?", "bike: And repair it?")] // actions joined by "or"
    [InlineData("How could you book a table?", "table: And repair it?")]
    [InlineData("How would you book a table?", "table: And repair it?")]
    [InlineData("How would we book a table?", "table: And repair it?")]
    [InlineData("How can you book a table?", "table: And repair it?")]
    [InlineData("How should you book a table?", "table: And repair it?")]
    [InlineData("How about we book a table?", "book table: And repair it?")] // "how" then no auxiliary: no opener
    [InlineData("May I book a table?", "table: And repair it?")]
    [InlineData("Could I book a table?", "table: And repair it?")]
    public void Every_opener_and_joiner_of_the_previous_action_lets_a_new_action_replace_it(string previous, string expected) =>
        Assert.Equal(expected, FollowUpRewriter.Rewrite("And repair it?", [previous]).Text);

    [Theory]
    [InlineData("And what does that cost?")]
    [InlineData("And how do I do this quickly?")]
    [InlineData("And how do I do so quickly?")]
    [InlineData("And who is doing it today?")]
    public void A_new_question_about_the_previous_action_itself_keeps_it(string followUp) =>
        Assert.Equal($"fix bike: {followUp}", FollowUpRewriter.Rewrite(followUp, ["How do I fix a bike?"]).Text);

    [Theory]
    [InlineData("And where do they deliver?")]
    [InlineData("And when does he come?")]
    [InlineData("And where does she park?")]
    [InlineData("Can we check: will it arrive?")]
    public void A_new_question_whose_subject_is_the_previous_topic_keeps_the_previous_action(string followUp) =>
        Assert.Equal($"order flowers: {followUp}", FollowUpRewriter.Rewrite(followUp, ["How do I order flowers?"]).Text);

    [Theory]
    [InlineData("Where is it cheaper?")]
    [InlineData("Which is cheaper for them?")]
    [InlineData("Who is selling them?")]
    [InlineData("When is it cheaper?")]
    [InlineData("How is it cheaper?")]
    [InlineData("Where are they cheaper?")]
    [InlineData("When was it cheaper?")]
    [InlineData("Where were they sold?")]
    [InlineData("Where does the dog sleep then?")]
    [InlineData("Where do the buses stop then?")]
    [InlineData("And what does the dog do?")] // an auxiliary last: nothing after it to refer to
    [InlineData("And can we park?")] // the asked-for action last
    public void Every_question_word_and_form_of_be_or_do_asks_something_new_and_drops_the_previous_action(string followUp) =>
        Assert.Equal($"ticket: {followUp}", FollowUpRewriter.Rewrite(followUp, ["How do I buy a ticket?"]).Text);

    [Fact]
    public void Only_and_before_a_content_word_opens_with_a_verb_and_an_opener_last_asks_nothing()
    {
        Assert.Equal("bring dog: Or cats?", FollowUpRewriter.Rewrite("Or cats?", ["Can I bring my dog?"]).Text);
        Assert.Equal("book table: And the dog, can we?", FollowUpRewriter.Rewrite("And the dog, can we?", ["How do I book a table?"]).Text);
    }

    [Fact]
    public void A_null_transcript_is_refused_even_on_the_first_turn() =>
        Assert.Throws<ArgumentNullException>(() => FollowUpRewriter.Rewrite(null!, []));

    [Theory]
    [InlineData("Breakfast?")]
    [InlineData("Was there a fee?")]
    [InlineData("Were there seats?")]
    [InlineData("There is a fee?")]
    [InlineData("Are there seats?")]
    [InlineData("Is the steak cooked well?")] // "well" alone is no "as well"
    public void One_word_of_topic_and_a_there_after_or_before_a_form_of_be_stand_alone(string transcript) =>
        Assert.False(FollowUpRewriter.LeansOnContext(transcript));

    [Fact]
    public void A_there_that_ends_the_question_points_back() =>
        Assert.True(FollowUpRewriter.LeansOnContext("Can I park there?"));

    [Fact]
    public void A_clitic_on_the_first_word_does_not_hide_the_opener_of_an_action() =>
        Assert.Equal("table: Can't we change it?", FollowUpRewriter.Rewrite("Can't we change it?", ["How do I book a table?"]).Text);

    [Fact]
    public void A_quote_before_a_word_is_not_part_of_it() =>
        Assert.Equal(["quoted", "word"], FollowUpRewriter.ContentWords("a 'quoted' word"));
}
