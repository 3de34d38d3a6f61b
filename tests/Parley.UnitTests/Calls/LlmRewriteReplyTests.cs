using Parley.Calls.Conversation;
using Parley.Calls.Pipeline;
using Xunit;

namespace Parley.UnitTests.Calls;

public sealed class LlmRewriteReplyTests
{
    [Theory]
    [InlineData("Is brunch served on Sundays?", "Is brunch served on Sundays?")]
    [InlineData("  \"Is brunch served on Sundays?\"  ", "Is brunch served on Sundays?")]
    [InlineData("Standalone question: Is brunch served on Sundays?", "Is brunch served on Sundays?")]
    [InlineData("“Can I bring my dog on the terrace?”", "Can I bring my dog on the terrace?")]
    [InlineData("Is brunch\u0000 served on Sundays?", "Is brunch served on Sundays?")]
    public void A_usable_reply_is_the_question_without_its_label_quotes_or_control_characters(string reply, string question) =>
        Assert.Equal(question, LlmFollowUpRewriter.Usable(reply));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("?!")]
    [InlineData("I'm sorry, but I can't help with that.")]
    [InlineData("I’m sorry, I cannot do that.")]
    [InlineData("As an AI language model, I cannot rewrite this.")]
    [InlineData("Unfortunately the conversation does not say.")]
    [InlineData("Is brunch served on Sundays?\nThe caller asked about brunch, so I added it.")]
    public void An_empty_refusing_or_explaining_reply_is_not_used(string? reply) =>
        Assert.Null(LlmFollowUpRewriter.Usable(reply));

    [Fact]
    public void A_reply_longer_than_a_question_is_not_used()
    {
        var essay = "Is brunch served " + string.Join(" ", Enumerable.Repeat("on Sundays and", 40)) + " holidays?";
        Assert.True(essay.Length > LlmFollowUpRewriter.MaxReplyLength);
        Assert.Null(LlmFollowUpRewriter.Usable(essay));
    }

    [Fact]
    public void The_prompt_shows_the_last_turns_and_the_follow_up_and_cuts_long_answers()
    {
        var history = new List<HistoryTurn>
        {
            new(0, "Do you have a kids menu?", "Do you have a kids menu?", "Yes."),
            new(1, "When do you serve brunch?", "When do you serve brunch?", "Brunch is served " + new string('x', 1000)),
            new(2, "Can I bring my dog?", "Can I bring my dog?", "Dogs are welcome on the terrace."),
        };

        var prompt = LlmFollowUpRewriter.Prompt("And on Sundays?", history);

        Assert.StartsWith(LlmFollowUpRewriter.Instruction, prompt[0].Text, StringComparison.Ordinal);
        var user = prompt[1].Text;
        Assert.DoesNotContain("kids menu", user, StringComparison.Ordinal);
        Assert.Contains("Caller: When do you serve brunch?", user, StringComparison.Ordinal);
        Assert.Contains("Agent: Dogs are welcome on the terrace.", user, StringComparison.Ordinal);
        Assert.EndsWith("Caller's last message: And on Sundays?", user, StringComparison.Ordinal);
        Assert.True(user.Length < 1000);
    }
}
