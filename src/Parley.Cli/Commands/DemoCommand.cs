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
        var adminKey = settings.AdminKey ?? Environment.GetEnvironmentVariable("Parley__AdminKey")
            ?? throw new CliException("demo needs --admin-key (./parley up passes it).");
        var demo = await seeder.SeedAsync(adminKey, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"  Demo account  {demo.AccountId}  ({demo.AccountName})");
        AnsiConsole.MarkupLineInterpolated($"  Demo API key  {demo.ApiKey}");
        AnsiConsole.MarkupLineInterpolated($"  Demo agent    {demo.AgentId}");
        // Benchmarks and scripts read the demo's ids from here.
        Directory.CreateDirectory(ParleyHome.Path);
        await File.WriteAllTextAsync(Path.Combine(ParleyHome.Path, "demo.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            accountId = demo.AccountId.Value, apiKey = demo.ApiKey, agentId = demo.AgentId,
        }), cancellationToken);
        return CliApp.Ok;
    }
}
