using System.Text.Json;
using Spectre.Console.Cli;

namespace Parley.Bench.Commands;

/// <summary>What every benchmark shares: Markdown to stdout, the same figures as JSON to <c>--json FILE</c>.</summary>
internal abstract class BenchSettings : CommandSettings
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [CommandOption("--json <FILE>")]
    public string? Json { get; init; }

    public async Task ReportAsync(string markdown, object result, CancellationToken cancellationToken)
    {
        Console.WriteLine(markdown);
        if (Json is not null)
        {
            await File.WriteAllTextAsync(Json, JsonSerializer.Serialize(result, JsonOptions), cancellationToken);
        }
    }
}
