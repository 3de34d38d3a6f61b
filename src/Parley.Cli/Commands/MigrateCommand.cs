using Microsoft.Extensions.DependencyInjection;
using Parley.Transactional.Persistence;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

internal sealed class MigrateCommand : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        AnsiConsole.MarkupLine("[green]Database is up to date.[/]");
        return CliApp.Ok;
    }
}
