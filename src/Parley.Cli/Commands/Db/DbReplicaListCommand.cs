using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

/// <summary>Prints the standbys; with <c>--read-url</c>, the multi-host read connection string (empty when none).</summary>
internal sealed class DbReplicaListCommand : Command<DbReplicaListCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--read-url")]
        public bool ReadUrl { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var cluster = ParleyHome.Cluster;
        if (!cluster.Exists)
        {
            throw new CliException("No private cluster (run ./parley db start).", CliApp.Failed);
        }
        if (settings.ReadUrl)
        {
            Console.WriteLine(cluster.Replicas.Count > 0 ? cluster.ReadConnectionString() : "");
            return CliApp.Ok;
        }
        foreach (var r in cluster.Replicas)
        {
            Console.WriteLine($"{r.Name}\t127.0.0.1:{r.Port}");
        }
        return CliApp.Ok;
    }
}
