using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary><c>parley ingest --account ID PATH...</c>: files, folders (recursively) and globs, with progress.</summary>
internal sealed class IngestCommand : AsyncCommand<IngestCommand.Settings>
{
    private static readonly string[] Extensions = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf"];

    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--account <ID>")]
        public string? Account { get; init; }

        [CommandArgument(0, "<PATH>")]
        public string[] Paths { get; init; } = [];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!AccountId.TryParse(settings.Account, out var account))
        {
            throw new CliException("ingest needs --account <ID> (an account id).");
        }
        var files = Resolve(settings.Paths);
        if (files.Count == 0)
        {
            throw new CliException($"No .txt, .md, .html or .pdf files found in: {string.Join(' ', settings.Paths)}");
        }
        using var host = CliHost.Build();
        var ingestion = host.Services.GetRequiredService<KnowledgeIngestion>();
        // Files are read in the extractor sandbox, as uploads are: a hostile PDF is one skipped file, not a crashed command.
        var extraction = host.Services.GetRequiredService<ExtractionSandbox>();
        var started = Stopwatch.GetTimestamp();
        int documents = 0, chunks = 0, unchanged = 0;
        var failures = new List<string>();
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var overall = ctx.AddTask($"{files.Count} files", maxValue: files.Count);
                foreach (var file in files)
                {
                    var task = ctx.AddTask(Markup.Escape(Path.GetFileName(file)), maxValue: 1);
                    try
                    {
                        var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
                        var doc = await extraction.ExtractAsync(Path.GetFileName(file), null, bytes, null, cancellationToken);
                        var progress = new Progress<(int Done, int Total)>(p => { task.MaxValue = Math.Max(1, p.Total); task.Value = p.Done; });
                        var result = await ingestion.IngestAsync(account, new IngestRequest(Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(file)), doc.Title ?? Path.GetFileNameWithoutExtension(file), doc), progress, cancellationToken);
                        documents++;
                        chunks += result.Status == IngestStatus.Unchanged ? 0 : result.Chunks;
                        unchanged += result.Status == IngestStatus.Unchanged ? 1 : 0;
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidRequestException or IOException)
                    {
                        failures.Add($"{file}: {e.Message}");
                    }
                    task.Value = task.MaxValue;
                    overall.Increment(1);
                }
            });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        AnsiConsole.MarkupLineInterpolated($"[green]{documents}[/] documents ({unchanged} unchanged), [green]{chunks}[/] chunks in {seconds:F1} s: [bold]{chunks / Math.Max(seconds, 0.001):F1} chunks/s[/]");
        foreach (var f in failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {f}");
        }
        return failures.Count == 0 ? CliApp.Ok : CliApp.Failed;
    }

    private static List<string> Resolve(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsDocument).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (path.Contains('*', StringComparison.Ordinal) || path.Contains('?', StringComparison.Ordinal))
            {
                var dir = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
                files.AddRange(Directory.Exists(dir) ? Directory.EnumerateFiles(dir, Path.GetFileName(path)).Where(IsDocument).Order(StringComparer.Ordinal) : []);
            }
            else
            {
                throw new CliException($"No such file or folder: {path}");
            }
        }
        return files.Distinct().ToList();
    }

    private static bool IsDocument(string file) => Extensions.Contains(Path.GetExtension(file).ToLowerInvariant());
}
