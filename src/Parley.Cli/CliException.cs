namespace Parley.Cli;

/// <summary>A failure to report as one line and an exit code, without a stack trace.</summary>
public sealed class CliException(string message, int exitCode = CliApp.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
