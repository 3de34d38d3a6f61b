using Microsoft.Extensions.Configuration;
using Npgsql;
using Parley.Data;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands.Db;

/// <summary>Machine-readable: <c>./parley</c> exports it for the server, and hands the libpq form to psql.</summary>
internal sealed class DbUrlCommand : Command<DbUrlCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--superuser")]
        public bool Superuser { get; init; }

        /// <summary>The schema owner's connection (migrations, platform-wide work): <c>ConnectionStrings__ParleyOwner</c>.</summary>
        [CommandOption("--owner")]
        public bool Owner { get; init; }

        [CommandOption("--libpq")]
        public bool Libpq { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var configured = settings.Owner ? ConnectionStrings.ResolveOwner(environment) : ConnectionStrings.Resolve(environment);
        string connectionString;
        if (configured is not null && !settings.Superuser)
        {
            connectionString = configured;
        }
        else
        {
            var cluster = ParleyHome.Cluster;
            if (!cluster.Exists)
            {
                throw new CliException("No private cluster (run ./parley db start).", CliApp.Failed);
            }
            connectionString = settings.Superuser ? cluster.Info.SuperuserConnectionString()
                : settings.Owner ? cluster.Info.OwnerConnectionString
                : cluster.Info.AppConnectionString;
        }
        Console.WriteLine(settings.Libpq ? ToLibpq(connectionString) : connectionString);
        return CliApp.Ok;
    }

    private static string ToLibpq(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        static string Q(string? v) => "'" + (v ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
        return $"host={Q(b.Host)} port={b.Port} dbname={Q(b.Database)} user={Q(b.Username)} password={Q(b.Password)}";
    }
}
