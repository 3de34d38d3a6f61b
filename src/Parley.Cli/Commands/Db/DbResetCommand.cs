using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbResetCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await ParleyHome.Cluster.DestroyAsync(cancellationToken);
        AnsiConsole.MarkupLine("Private cluster deleted; the next ./parley up creates a new one.");
        return CliApp.Ok;
    }
}
