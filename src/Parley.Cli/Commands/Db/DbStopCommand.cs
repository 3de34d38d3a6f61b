using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbStopCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await ParleyHome.Cluster.StopAsync(cancellationToken);
        AnsiConsole.MarkupLine("PostgreSQL stopped.");
        return CliApp.Ok;
    }
}
