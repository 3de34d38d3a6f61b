using Parley.Domain;
using Xunit;

namespace Parley.UnitTests.Domain;

public sealed class ControlCharactersTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("tab\tline\nreturn\r", "tab\tline\nreturn\r")]
    [InlineData("a\u0000b", "ab")]
    [InlineData("\u0001\u0002start, end\u001f", "start, end")]
    [InlineData("bell\u0007, escape\u001b[31m, form feed\u000c, backspace\u0008", "bell, escape[31m, form feed, backspace")]
    [InlineData("\u0000\u0000\u0000", "")]
    [InlineData("DEL \u007f and NBSP \u00a0 are not C0", "DEL \u007f and NBSP \u00a0 are not C0")]
    public void Strip_removes_C0_controls_but_tab_line_feed_and_carriage_return(string text, string expected) =>
        Assert.Equal(expected, ControlCharacters.Strip(text));

    [Fact]
    public void Strip_returns_the_same_string_when_there_is_nothing_to_remove()
    {
        var text = new string('x', 1000) + "\n\t";
        Assert.Same(text, ControlCharacters.Strip(text));
    }

    [Theory]
    [InlineData("ok\there", -1)]
    [InlineData("no\u0000", 2)]
    [InlineData("\u000bvertical tab", 0)]
    public void IndexOfForbidden_finds_the_first_forbidden_character(string text, int expected) =>
        Assert.Equal(expected, ControlCharacters.IndexOfForbidden(text));
}
