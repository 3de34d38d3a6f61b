using Microsoft.Extensions.DependencyInjection;
using Parley.Transactional.Demo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary>Loads the demo tenant once (idempotent) and prints its ids and key.</summary>
internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--admin-key")]
        public string? AdminKey { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = CliHost.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
        var demo = await seeder.SeedAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"  Demo account  {demo.AccountId}  ({demo.AccountName})");
        return CliApp.Ok;
    }
}
