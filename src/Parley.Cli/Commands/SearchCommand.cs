using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Domain.Knowledge;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary><c>parley search --account ID [--mode vector|hybrid] [--top K] [--json] TEXT</c>.</summary>
internal sealed class SearchCommand : AsyncCommand<SearchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--account <ID>")]
        public string? Account { get; init; }

        [CommandOption("--mode <MODE>")]
        public string Mode { get; init; } = "vector";

        [CommandOption("--top <K>")]
        public int Top { get; init; } = 5;

        [CommandOption("--json")]
        public bool Json { get; init; }

        [CommandArgument(0, "<TEXT>")]
        public string[] Text { get; init; } = [];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(settings.Account, out var account))
        {
            throw new CliException("search needs --account <ID> (an account id).");
        }
        var mode = settings.Mode switch
        {
            "vector" => SearchMode.Vector,
            "hybrid" => SearchMode.Hybrid,
            _ => throw new CliException("--mode must be vector or hybrid."),
        };
        using var host = CliHost.Build();
        var search = host.Services.GetRequiredService<IKnowledgeSearch>();
        SearchResponse response;
        try
        {
            response = await search.SearchAsync(account, new SearchRequest(string.Join(' ', settings.Text), settings.Top, null, null, mode), cancellationToken);
        }
        catch (InvalidRequestException e)
        {
            throw new CliException(e.Message);
        }
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(response, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
            return CliApp.Ok;
        }
        var table = new Table().AddColumns("#", "similarity", "title", "content");
        var i = 0;
        foreach (var hit in response.Results)
        {
            var content = hit.Content.Length > 160 ? hit.Content[..160] + "…" : hit.Content;
            table.AddRow((++i).ToString(System.Globalization.CultureInfo.InvariantCulture), $"{hit.Similarity:F3}", Markup.Escape(hit.Title), Markup.Escape(content.ReplaceLineEndings(" ")));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"strategy [bold]{response.Strategy}[/] · embed {response.Timings.EmbedMs:F1} ms · search {response.Timings.SearchMs:F1} ms · total {response.Timings.TotalMs:F1} ms");
        return CliApp.Ok;
    }
}
