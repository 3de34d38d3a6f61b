using Parley.Domain;
using Parley.Monitoring;
using Xunit;

namespace Parley.UnitTests.Monitoring;

public sealed class WindowTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData("2h", 2 * 3600)]
    [InlineData("30d", 30 * 86400)]
    public void A_window_is_a_number_and_a_unit(string value, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Window.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("m")]
    [InlineData("0m")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("15M")]
    [InlineData("31d")]
    [InlineData("1w")]
    public void Anything_else_is_invalid_input_naming_the_field(string? value)
    {
        var e = Assert.Throws<InvalidRequestException>(() => Window.Parse(value, "step"));
        Assert.True(e.Errors.ContainsKey("step"));
    }
}
