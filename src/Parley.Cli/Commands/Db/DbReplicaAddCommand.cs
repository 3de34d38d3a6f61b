using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbReplicaAddCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var replica = await ParleyHome.Cluster.AddReplicaAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Standby {replica.Name} streaming from the primary on 127.0.0.1:{replica.Port}. Restart the server (./parley up) to read from it.");
        return CliApp.Ok;
    }
}
