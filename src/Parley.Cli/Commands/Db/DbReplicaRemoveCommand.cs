using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

internal sealed class DbReplicaRemoveCommand : AsyncCommand<DbReplicaRemoveCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NAME]")]
        public string? Name { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var removed = await ParleyHome.Cluster.RemoveReplicaAsync(settings.Name, cancellationToken)
            ?? throw new CliException(settings.Name is null ? "There is no replica to remove." : $"No replica named '{settings.Name}'.");
        AnsiConsole.MarkupLineInterpolated($"Standby {removed.Name} (port {removed.Port}) stopped and deleted.");
        return CliApp.Ok;
    }
}
