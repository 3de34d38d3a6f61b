using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbStartCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var cluster = ParleyHome.Cluster;
        var info = await cluster.EnsureStartedAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"PostgreSQL running on 127.0.0.1:{info.Port} (data in {cluster.DataDirectory})");
        return CliApp.Ok;
    }
}
