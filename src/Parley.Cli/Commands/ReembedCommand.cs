using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Embeddings;
using Parley.Knowledge.Maintenance;
using Parley.Transactional.Persistence;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley reembed --account ID | --all [--batch N]</c>: embeds again, with the configured model,
/// the chunks whose vectors came from another one; resumable (run it again after a stop).
/// </summary>
internal sealed class ReembedCommand : AsyncCommand<ReembedCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--account <ID>")]
        public string? Account { get; init; }

        [CommandOption("--all")]
        public bool All { get; init; }

        [CommandOption("--batch <N>")]
        public int Batch { get; init; } = 64;

        public override ValidationResult Validate() =>
            (Account is null) == !All ? ValidationResult.Error("reembed needs exactly one of --account <ID> or --all.")
            : Account is not null && !AccountId.TryParse(Account, out _) ? ValidationResult.Error($"--account: '{Account}' is not an account id.")
            : Batch is < 1 or > 2048 ? ValidationResult.Error("--batch must be between 1 and 2048.")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        AccountId? account = settings.Account is null ? null : AccountId.TryParse(settings.Account, out var a) ? a : null;
        using var host = CliHost.Build();
        // Migrate without the model check: a configured model that differs from the recorded one is why we are here.
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(verifyModel: false, cancellationToken);
        var generator = host.Services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingsHostingExtensions.UncachedKey);
        var reembedder = host.Services.GetRequiredService<ReEmbedder>();
        ReEmbedResult result = null!;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(account is null ? "re-embedding every account" : $"re-embedding {account}", maxValue: 1);
                var progress = new SynchronousProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = $"{p.Done}/{p.Total} chunks";
                });
                result = await reembedder.RunAsync(generator, account, settings.Batch, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
        AnsiConsole.MarkupLineInterpolated($"Re-embedded [green]{result.ReEmbedded}[/] chunks with {result.ToModel} (recorded model was {result.FromModel}); {result.Remaining} chunks of all accounts are on another model.");
        if (result.Switched)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]The deployment now uses {result.ToModel}[/]: start the servers with this configuration.");
        }
        else if (result.Remaining > 0)
        {
            AnsiConsole.MarkupLine("Run [bold]parley reembed --all[/] to finish the switch; until then servers configured for the new model refuse to start.");
        }
        return CliApp.Ok;
    }

    /// <summary>Progress{T} posts to the thread pool and may report after the bar is done; this reports in order, at once.</summary>
    private sealed class SynchronousProgress(Action<ReEmbedProgress> report) : IProgress<ReEmbedProgress>
    {
        public void Report(ReEmbedProgress value) => report(value);
    }
}
