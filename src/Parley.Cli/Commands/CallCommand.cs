using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Transactional.Calls;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Parley.Cli.Commands;

/// <summary><c>parley call --agent ID [--json] [--speak FILE.wav] (TEXT | --audio FILE.wav)</c>: one phone turn, in process, with the configured providers.</summary>
internal sealed class CallCommand : AsyncCommand<CallCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--agent <ID>")]
        public string? Agent { get; init; }

        [CommandOption("--json")]
        public bool Json { get; init; }

        [CommandOption("--speak <FILE>")]
        public string? Speak { get; init; }

        /// <summary>A WAV of the caller's question, for the configured recogniser (Parley__Asr__Provider).</summary>
        [CommandOption("--audio <FILE>")]
        public string? Audio { get; init; }

        [CommandArgument(0, "[TEXT]")]
        public string[] Text { get; init; } = [];

        public override ValidationResult Validate() =>
            (Text.Length == 0) == (Audio is null) ? ValidationResult.Error("call needs the question as TEXT or --audio FILE.wav (one of them).")
            : Audio is not null && !File.Exists(Audio) ? ValidationResult.Error($"--audio: no such file: {Audio}")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(settings.Agent, out var agentId))
        {
            throw new CliException("call needs --agent <ID> (an agent id).");
        }
        var text = string.Join(' ', settings.Text);
        using var host = CliHost.Build(b => Parley.Calls.CallsHostingExtensions.AddParleyCalls(b));
        await host.StartAsync(cancellationToken);
        var account = await FindAccountAsync(host, agentId, cancellationToken);
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.For(account);
        var calls = scope.ServiceProvider.GetRequiredService<CallService>();
        var orchestrator = scope.ServiceProvider.GetRequiredService<CallOrchestrator>();
        var call = await calls.StartAsync(agentId, null, "in", cancellationToken);
        TurnResult turn;
        try
        {
            turn = settings.Audio is null
                ? await orchestrator.TakeTurnAsync(call.Id, text, settings.Speak is not null, cancellationToken)
                : await orchestrator.TakeAudioTurnAsync(call.Id, await File.ReadAllBytesAsync(settings.Audio, cancellationToken), settings.Speak is not null, cancellationToken);
        }
        finally
        {
            await calls.EndAsync(call.Id, cancellationToken);
            await host.Services.GetRequiredService<CallLogWriter>().FlushAsync(cancellationToken);
            await host.StopAsync(cancellationToken);
        }
        if (settings.Speak is not null && turn.Audio is not null)
        {
            await File.WriteAllBytesAsync(settings.Speak, turn.Audio, cancellationToken);
        }
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { callId = call.Id, turn.Transcript, turn.Answer, turn.Sources, turn.Timings, turn.Cached, turn.Degraded }, JsonSerializerOptions.Web));
            return CliApp.Ok;
        }
        if (settings.Audio is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]heard:[/] {turn.Transcript ?? "(nothing)"}");
        }
        AnsiConsole.MarkupLineInterpolated($"[bold]{turn.Answer}[/]");
        foreach (var s in turn.Sources)
        {
            AnsiConsole.MarkupLineInterpolated($"  [grey]{s.Similarity:F3}  {s.Title}[/]");
        }
        var t = turn.Timings;
        AnsiConsole.MarkupLineInterpolated($"{(t.AsrMs > 0 ? $"asr {t.AsrMs:F1} ms · " : "")}embed {t.EmbedMs:F1} ms · search {t.SearchMs:F1} ms · llm {t.LlmMs:F1} ms · tts {t.TtsMs:F1} ms · total {t.TotalMs:F1} ms{(turn.Cached ? " · cached" : "")}{(turn.Degraded.Count > 0 ? " · degraded: " + string.Join(",", turn.Degraded) : "")}");
        if (settings.Speak is not null)
        {
            if (turn.Audio is null)
            {
                AnsiConsole.MarkupLine("[yellow]no audio (speech fell back)[/]");
            }
            else
            {
                AnsiConsole.MarkupLineInterpolated($"wrote {settings.Speak}");
            }
        }
        return CliApp.Ok;
    }

    private static async Task<AccountId> FindAccountAsync(IHost host, Guid agentId, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<Parley.Transactional.Persistence.ParleyDbContext>();
        var agent = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(db.Agents, a => a.Id == agentId, cancellationToken)
            ?? throw new CliException($"No agent {agentId}.");
        return agent.AccountId;
    }
}
