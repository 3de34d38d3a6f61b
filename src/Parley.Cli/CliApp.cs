using Parley.Cli.Commands;
using Parley.Cli.Commands.Db;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli;

/// <summary>The <c>parley</c> command: one command per file, human output by default, fixed exit codes.</summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int BadInput = 2;
    public const int Failed = 1;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, "parley", AddCommands);

    /// <summary>
    /// Runs a command line with the CLI's exit codes and one-line errors; the benchmarks' executable
    /// (<c>parley bench</c>) runs its own commands through it.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, string applicationName, Action<IConfigurator> addCommands)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName(applicationName);
            c.PropagateExceptions();
            addCommands(c);
        });
        try
        {
            return await app.RunAsync(args);
        }
        catch (CommandAppException e)
        {
            Console.Error.WriteLine($"parley: {e.Message}");
            return BadInput;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"parley: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is Parley.Domain.InvalidRequestException or Parley.Domain.NotFoundException or Parley.LocalPostgres.LocalClusterException or Parley.Transactional.Persistence.DatabaseSchemaException or Npgsql.NpgsqlException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            Console.Error.WriteLine($"parley: {e.Message}");
            return Failed;
        }
    }

    internal static void Error(string message) => AnsiConsole.MarkupLineInterpolated($"[red]{message}[/]");

    private static void AddCommands(IConfigurator c)
    {
        c.AddBranch("db", db =>
        {
            db.SetDescription("Manage the private PostgreSQL cluster under .parley/.");
            db.AddCommand<DbStartCommand>("start").WithDescription("Create (if needed) and start the private cluster.");
            db.AddCommand<DbStopCommand>("stop").WithDescription("Stop the private cluster; its data stays.");
            db.AddCommand<DbStatusCommand>("status").WithDescription("Show whether the cluster runs, and where.");
            db.AddCommand<DbResetCommand>("reset").WithDescription("Delete the private cluster and its data.");
            db.AddCommand<DbUrlCommand>("url").WithDescription("Print the application's connection string.");
            db.AddBranch("replica", r =>
            {
                r.SetDescription("Streaming-replication standbys of the private cluster.");
                r.AddCommand<DbReplicaAddCommand>("add").WithDescription("Create and start a standby (pg_basebackup -R) on its own port.");
                r.AddCommand<DbReplicaRemoveCommand>("remove").WithDescription("Stop and delete a standby (the newest by default).");
                r.AddCommand<DbReplicaListCommand>("list").WithDescription("List the standbys.");
            });
        });
        c.AddCommand<MigrateCommand>("migrate").WithDescription("Apply the migration history to the database.");
        c.AddCommand<DemoCommand>("demo").WithDescription("Load the demo tenant (idempotent) and print its ids.");
        c.AddCommand<IngestCommand>("ingest").WithDescription("Ingest files, folders and globs into an account's knowledge base, with progress.");
        c.AddCommand<SearchCommand>("search").WithDescription("Search an account's knowledge base; --json for JSON.");
        c.AddCommand<CallCommand>("call").WithDescription("One phone turn with the configured providers; --json, --speak FILE.wav.");
        c.AddCommand<EmbedCommand>("embed").WithDescription("Print the embedding of TEXT as a JSON array.");
        c.AddCommand<ReembedCommand>("reembed").WithDescription("Embed again, with the configured model, the chunks of --account ID or --all that another model made; resumable.");
    }
}
