using Parley.Cli;
using Xunit;

namespace Parley.IntegrationTests.Cli;

/// <summary>The new commands refuse bad input with exit code 2 before touching a database or a model.</summary>
public sealed class CliBadInputTests
{
    [Theory]
    [InlineData("reembed")]
    [InlineData("reembed", "--all", "--account", "0192f5a0-0000-7000-8000-00000000de30")]
    [InlineData("reembed", "--account", "not-an-id")]
    [InlineData("reembed", "--all", "--batch", "0")]
    [InlineData("call", "--agent", "0192f5a0-0000-7000-8000-00000000a6e1")]
    [InlineData("call", "--agent", "0192f5a0-0000-7000-8000-00000000a6e1", "--audio", "/nonexistent/question.wav")]
    [InlineData("call", "--agent", "0192f5a0-0000-7000-8000-00000000a6e1", "--audio", "/nonexistent/question.wav", "and", "text")]
    public async Task A_command_with_bad_arguments_exits_2(params string[] args)
    {
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(args));
    }
}
