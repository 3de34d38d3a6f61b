using Parley.Calls.Conversation;
using Xunit;

namespace Parley.UnitTests.Calls;

public sealed class FollowUpRewriterTests
{
    [Theory]
    [InlineData("And what about on Sundays?")]
    [InlineData("what about parking there?")]
    [InlineData("How much is it?")]
    [InlineData("Is it expensive?")]
    [InlineData("Can I bring them too?")]
    [InlineData("and for kids?")]
    [InlineData("Where is that?")]
    public void A_follow_up_that_leans_on_the_conversation_is_detected(string transcript) =>
        Assert.True(FollowUpRewriter.LeansOnContext(transcript));

    [Theory]
    [InlineData("When do you serve brunch?")]
    [InlineData("Can I bring my dog?")]
    [InlineData("What are your opening hours?")]
    [InlineData("Is there parking near the restaurant?")]
    [InlineData("Do you have vegan options on the dinner menu?")]
    [InlineData("And do you take reservations for large groups on weekends?")]
    public void A_question_that_stands_alone_is_left_as_it_is(string transcript) =>
        Assert.False(FollowUpRewriter.LeansOnContext(transcript));

    [Fact]
    public void A_follow_up_carries_the_previous_question_topic_words_first()
    {
        var q = FollowUpRewriter.Rewrite("And what about on Sundays?", ["Can I bring my dog?"]);

        Assert.True(q.Rewritten);
        Assert.Equal("bring dog: And what about on Sundays?", q.Text);
    }

    [Theory]
    [InlineData("And encrypt files with them?", "How do I manage GnuPG keys?", "gnupg keys: And encrypt files with them?")]
    [InlineData("And how do I copy or sync them?", "How do I archive and compress files?", "files: And how do I copy or sync them?")]
    [InlineData("Which tools do that?", "How should I back up my data?", "back data: Which tools do that?")]
    [InlineData("How do I start it?", "What is Midnight Commander?", "midnight commander: How do I start it?")]
    [InlineData("Can it come inside too?", "Can I bring my dog?", "bring dog: Can it come inside too?")]
    [InlineData("And remove it?", "How do I install a package with apt?", "package apt: And remove it?")]
    [InlineData("And what are the basic commands?", "How do I configure a Git client?", "git client: And what are the basic commands?")]
    public void A_follow_up_asking_something_new_drops_the_previous_action(string followUp, string previous, string expected) =>
        Assert.Equal(expected, FollowUpRewriter.Rewrite(followUp, [previous]).Text);

    [Theory]
    [InlineData("Is there a happy hour too?")]
    [InlineData("Do you have a kids menu as well?")]
    public void A_trailing_too_or_as_well_leans_on_the_conversation(string transcript) =>
        Assert.True(FollowUpRewriter.LeansOnContext(transcript));

    [Fact]
    public void Two_calls_with_the_same_follow_up_get_different_standalone_queries()
    {
        var brunch = FollowUpRewriter.Rewrite("And what about on Sundays?", ["When do you serve brunch?"]);
        var dog = FollowUpRewriter.Rewrite("And what about on Sundays?", ["Can I bring my dog?"]);

        Assert.NotEqual(brunch.Text, dog.Text);
        Assert.Contains("brunch", brunch.Text, StringComparison.Ordinal);
        Assert.Contains("dog", dog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_turn_and_a_standalone_question_are_not_rewritten()
    {
        Assert.False(FollowUpRewriter.Rewrite("And on Sundays?", []).Rewritten);
        var standalone = FollowUpRewriter.Rewrite("Do you have gift cards?", ["When do you serve brunch?"]);
        Assert.False(standalone.Rewritten);
        Assert.Equal("Do you have gift cards?", standalone.Text);
    }

    [Fact]
    public void A_chain_of_follow_ups_keeps_the_topic_and_stays_bounded()
    {
        var history = new List<string> { "When do you serve brunch on the terrace with the children and the dog?" };
        for (var i = 0; i < 20; i++)
        {
            history.Add(FollowUpRewriter.Rewrite("And on Sundays?", history).Text);
        }

        Assert.Contains("brunch", history[^1], StringComparison.Ordinal);
        Assert.True(FollowUpRewriter.ContentWords(history[^1]).Count() <= FollowUpRewriter.MaxCarriedWords + 1);
    }

    [Fact]
    public void A_follow_up_with_nothing_to_borrow_is_left_alone()
    {
        var q = FollowUpRewriter.Rewrite("And what about it?", ["Hello?"]);
        Assert.False(q.Rewritten);
    }
}
