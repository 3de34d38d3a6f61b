using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary><c>parley embed TEXT</c>: the embedding of TEXT as a JSON array, with the configured provider.</summary>
internal sealed class EmbedCommand : AsyncCommand<EmbedCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<TEXT>")]
        public string[] Text { get; init; } = [];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var text = string.Join(' ', settings.Text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException("embed needs a non-empty TEXT.");
        }
        using var host = CliHost.Build(requireDatabase: false);
        var generator = host.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var vector = await generator.GenerateVectorAsync(text, cancellationToken: cancellationToken);
        Console.WriteLine(JsonSerializer.Serialize(vector.ToArray()));
        return CliApp.Ok;
    }
}
