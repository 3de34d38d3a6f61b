using Parley.Calls.Conversation;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>The rewrite rule's edges: the anchor-word limit, the cues it knows, "there" that points at nothing, clitics.</summary>
public sealed class FollowUpRewriterEdgeTests
{
    [Theory]
    [InlineData("Can I bring them to the beach party?", true)] // three content words and a pronoun: leans
    [InlineData("Can I bring them to the beach party tonight?", false)] // four: stands alone
    public void A_follow_up_with_up_to_three_content_words_of_its_own_still_leans(string transcript, bool leans) =>
        Assert.Equal(leans, FollowUpRewriter.LeansOnContext(transcript));

    [Theory]
    [InlineData("How about Sundays?")]
    [InlineData("What if it rains?")]
    [InlineData("How come?")]
    [InlineData("Is breakfast included also?")]
    [InlineData("Then what?")]
    public void Every_continuation_cue_leans_on_the_conversation(string transcript) =>
        Assert.True(FollowUpRewriter.LeansOnContext(transcript));

    [Theory]
    [InlineData("")]
    [InlineData("?!")]
    [InlineData("There are lockers?")]
    [InlineData("Is there a sauna?")]
    [InlineData("Breakfast included?")]
    public void Nothing_said_an_existential_there_or_a_bare_topic_does_not_lean(string transcript) =>
        Assert.False(FollowUpRewriter.LeansOnContext(transcript));

    [Fact]
    public void A_word_with_no_topic_of_its_own_leans_whatever_it_is()
    {
        Assert.True(FollowUpRewriter.LeansOnContext("Um, okay, and?"));
        Assert.Equal("dog: Um, okay, and?", FollowUpRewriter.Rewrite("Um, okay, and?", ["My dog?"]).Text);
    }

    [Fact]
    public void Clitics_and_trailing_apostrophes_carry_no_topic()
    {
        Assert.Equal(["dog", "bowl"], FollowUpRewriter.ContentWords("What's the dog's bowl?"));
        Assert.Equal(["dogs", "toys"], FollowUpRewriter.ContentWords("the dogs' toys"));
    }

    [Fact]
    public void The_rewrite_trims_the_transcript_and_carries_each_previous_word_once_and_at_most_eight()
    {
        Assert.Equal("dog: and Sundays?", FollowUpRewriter.Rewrite("  and Sundays?  ", ["Dog? Dog! DOG."]).Text);

        var previous = "When do ferries, buses, trams, taxis, bikes, scooters, boats, trains and planes leave?";
        var q = FollowUpRewriter.Rewrite("And on Sundays?", [previous]);
        Assert.Equal("ferries buses trams taxis bikes scooters boats trains: And on Sundays?", q.Text);
    }

    [Fact]
    public void Only_the_last_previous_query_is_borrowed_from()
    {
        var q = FollowUpRewriter.Rewrite("And on Sundays?", ["When do you serve brunch?", "Can I bring my dog?"]);
        Assert.Equal("bring dog: And on Sundays?", q.Text);
    }

    [Theory]
    [InlineData("And how can we pay for it?", "How do I book a table?", "table: And how can we pay for it?")]
    [InlineData("Could we cancel it?", "How to book a table?", "table: Could we cancel it?")]
    [InlineData("Should I print it?", "Can I change my booking?", "booking: Should I print it?")]
    public void Each_way_of_asking_for_an_action_replaces_the_previous_action(string followUp, string previous, string expected) =>
        Assert.Equal(expected, FollowUpRewriter.Rewrite(followUp, [previous]).Text);

    [Theory]
    [InlineData("What is needed to do that?", "How do I renew a passport?", "renew passport: What is needed to do that?")]
    [InlineData("Where does it go?", "Can I bring my bike?", "bring bike: Where does it go?")]
    public void A_follow_up_about_the_action_itself_or_with_the_topic_as_subject_keeps_the_action(string followUp, string previous, string expected) =>
        Assert.Equal(expected, FollowUpRewriter.Rewrite(followUp, [previous]).Text);
}
