using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbStatusCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var cluster = ParleyHome.Cluster;
        if (!cluster.Exists)
        {
            AnsiConsole.MarkupLine("No private cluster (run ./parley up or ./parley db start).");
            return 3;
        }
        var running = await cluster.IsRunningAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"{(running ? "running" : "stopped")} on 127.0.0.1:{cluster.Info.Port}, data in {cluster.DataDirectory}");
        return running ? CliApp.Ok : 3;
    }
}
