using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Calls;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;
using Parley.Data;
using Parley.Domain;
using Parley.Knowledge.Extraction;
using Parley.Knowledge.Ingestion;
using Parley.Transactional.Accounts;
using Parley.Transactional.Agents;
using Parley.Transactional.Calls;
using Parley.Transactional.Persistence;
using Spectre.Console;

namespace Parley.Bench;

/// <summary>
/// Phone turns end to end, in process, with the configured providers (local by default: text in,
/// the extractive answer, espeak-ng WAV out), against a throwaway tenant loaded with the demo
/// knowledge base. Calls of five turns run side by side (a call's own turns are sequential, as on a
/// phone); every turn's per-stage timings are kept, plus answer-cache hits and degraded stages.
/// </summary>
public sealed partial class TurnBenchmark(IServiceProvider services)
{
    private const int TurnsPerCall = 5;

    private static readonly string[] Questions =
    [
        "What time do you open on Sunday?", "Are you open on Christmas Day?", "Is there parking near the restaurant?", "How do I book a table?",
        "What is your cancellation policy?", "Can you take a group of twenty?", "How much is the lobster?", "What is on the lunch menu?",
        "When is brunch served?", "Do you have a kids menu?", "Can you cater for a nut allergy?", "How much is the corkage fee?",
        "Do you sell gift cards?", "Is the restaurant wheelchair accessible?", "Can I bring my dog?", "Is there a dress code?",
        "Do you take American Express?", "Do you deliver?", "Is there live music this weekend?", "Where does your fish come from?",
        "I left my scarf there last night, what should I do?", "How does the loyalty club work?", "Do you have vegan options?",
        "Can I order takeaway for pickup?", "What are the opening hours on Monday?", "Is the terrace heated?", "Do you serve gluten-free bread?",
    ];

    private static readonly string[] Openers = ["", "Hi, ", "Hello there. ", "Quick question: ", "Sorry, one more thing. ", "Good evening! "];

    /// <param name="stream">Streamed turns (<see cref="CallOrchestrator.StreamTurnAsync"/>): speech sentence by sentence, and the time to the first audio.</param>
    public async Task<Dictionary<string, object>> RunAsync(
        string knowledgeFolder, int turns, int concurrency, bool speak, bool keep, bool stream, CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(knowledgeFolder, "*.md").Order(StringComparer.Ordinal).ToList();
        var account = AccountId.New();
        var agentId = Guid.CreateVersion7();
        var records = new ConcurrentBag<TurnResult>();
        // What the caller waits, which the turn's own timings end before: queueing its call-log record comes after them.
        var waits = new ConcurrentBag<(TurnResult Turn, double Ms)>();
        // A streamed turn's first audio as its consumer reads it off the event channel, from the moment the turn was asked.
        var heard = new ConcurrentBag<double>();
        double wallSeconds = 0;
        try
        {
            await AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var load = ctx.AddTask($"tenant with {files.Count} demo documents", maxValue: files.Count + 1);
                    await CreateTenantAsync(account, agentId, cancellationToken);
                    load.Increment(1);
                    var ingestion = services.GetRequiredService<KnowledgeIngestion>();
                    foreach (var file in files)
                    {
                        var doc = TextExtractor.Extract(file, null, await File.ReadAllBytesAsync(file, cancellationToken), null);
                        await ingestion.IngestAsync(account, new IngestRequest(Path.GetFileName(file), doc.Title ?? Path.GetFileNameWithoutExtension(file), doc), null, cancellationToken);
                        load.Increment(1);
                    }

                    var progress = ctx.AddTask($"{turns} turns at concurrency {concurrency}", maxValue: turns);
                    var random = new Random(7);
                    var calls = Enumerable.Range(0, (turns + TurnsPerCall - 1) / TurnsPerCall)
                        .Select(c => Enumerable.Range(0, Math.Min(TurnsPerCall, turns - (c * TurnsPerCall)))
                            .Select(_ => Openers[random.Next(Openers.Length)] + Questions[random.Next(Questions.Length)]).ToArray())
                        .ToList();
                    var sw = Stopwatch.StartNew();
                    await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (questions, ct) =>
                    {
                        await using var scope = services.CreateAsyncScope();
                        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.For(account);
                        var callService = scope.ServiceProvider.GetRequiredService<CallService>();
                        var orchestrator = scope.ServiceProvider.GetRequiredService<CallOrchestrator>();
                        var call = await callService.StartAsync(agentId, null, "in", ct);
                        foreach (var q in questions)
                        {
                            var asked = Stopwatch.GetTimestamp();
                            var turn = stream
                                ? await StreamedTurnAsync(orchestrator, call.Id, q, speak, asked, heard, ct)
                                : await orchestrator.TakeTurnAsync(call.Id, q, speak, ct);
                            waits.Add((turn, Stopwatch.GetElapsedTime(asked).TotalMilliseconds));
                            records.Add(turn);
                            progress.Increment(1);
                        }
                        await callService.EndAsync(call.Id, ct);
                    });
                    wallSeconds = sw.Elapsed.TotalSeconds;
                    await services.GetRequiredService<CallLogWriter>().FlushAsync(cancellationToken);
                });
        }
        finally
        {
            if (!keep)
            {
                await DeleteTenantAsync(account, CancellationToken.None);
            }
        }
        var result = Summarise(records.ToList(), concurrency, speak, wallSeconds, keep ? account : null);
        var stages = (Dictionary<string, LatencySummary>)result["stages"];
        stages["callerWait"] = LatencySummary.Of(waits.Select(w => w.Ms).ToArray());
        stages["afterTimings"] = LatencySummary.Of(waits.Select(w => Math.Max(0, w.Ms - w.Turn.Timings.TotalMs)).ToArray());
        result["streamed"] = stream;
        if (stream)
        {
            stages["firstToken"] = LatencySummary.Of(records.Where(t => t.Timings.FirstTokenMs is not null).Select(t => t.Timings.FirstTokenMs!.Value).ToArray());
            stages["firstAudio"] = LatencySummary.Of(records.Where(t => t.Timings.FirstAudioMs is not null).Select(t => t.Timings.FirstAudioMs!.Value).ToArray());
            stages["callerFirstAudio"] = LatencySummary.Of(heard.ToArray());
            result["firstAudioMs"] = stages["firstAudio"];
            // First audio counts the turns that spoke; the others had no sentence spoken in its budget.
            result["turnsWithAudio"] = stages["firstAudio"].Count;
        }
        return result;
    }

    /// <summary>A streamed turn, its events read as a client of the pipeline reads them; the first audio's wait is kept.</summary>
    private static async Task<TurnResult> StreamedTurnAsync(
        CallOrchestrator orchestrator, Guid callId, string question, bool speak, long asked, ConcurrentBag<double> heard, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<TurnEvent>(new UnboundedChannelOptions { SingleReader = true });
        var turn = orchestrator.StreamTurnAsync(callId, question, null, speak, events.Writer, ct);
        _ = turn.ContinueWith(_ => events.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var first = true;
        await foreach (var e in events.Reader.ReadAllAsync(ct))
        {
            if (first && e is TurnEvent.Audio)
            {
                heard.Add(Stopwatch.GetElapsedTime(asked).TotalMilliseconds);
                first = false;
            }
        }
        return await turn;
    }

    private Dictionary<string, object> Summarise(List<TurnResult> turns, int concurrency, bool speak, double wallSeconds, AccountId? kept)
    {
        var budget = services.GetRequiredService<IOptions<CallOptions>>().Value.TurnBudgetMs;
        LatencySummary Of(Func<TurnTimings, double> stage, Func<TurnResult, bool>? where = null) =>
            LatencySummary.Of(turns.Where(where ?? (_ => true)).Select(t => stage(t.Timings)).ToArray());
        var tts = services.GetServices<ITextToSpeech>().FirstOrDefault();
        var result = new Dictionary<string, object>
        {
            ["turns"] = turns.Count,
            ["concurrency"] = concurrency,
            ["llm"] = services.GetRequiredService<IAnswerGenerator>().Name,
            ["tts"] = speak ? tts?.Name ?? "none installed" : "off",
            ["stages"] = new Dictionary<string, LatencySummary>
            {
                ["embed"] = Of(t => t.EmbedMs),
                ["search"] = Of(t => t.SearchMs, t => !t.Cached),
                ["llm"] = Of(t => t.LlmMs, t => !t.Cached),
                ["tts"] = Of(t => t.TtsMs),
                ["total"] = Of(t => t.TotalMs),
                ["totalUncached"] = Of(t => t.TotalMs, t => !t.Cached),
                ["totalCached"] = Of(t => t.TotalMs, t => t.Cached),
            },
            ["answerCacheHits"] = turns.Count(t => t.Cached),
            ["degraded"] = turns.SelectMany(t => t.Degraded).GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count()),
            ["withinTurnBudget"] = turns.Count == 0 ? 0 : Math.Round(turns.Count(t => t.Timings.TotalMs <= budget) / (double)turns.Count, 4),
            ["turnBudgetMs"] = budget,
            ["turnsPerSecond"] = Math.Round(turns.Count / Math.Max(wallSeconds, 1e-9), 1),
        };
        if (kept is { } account)
        {
            result["keptAccountId"] = account.Value;
        }
        return result;
    }

    private async Task CreateTenantAsync(AccountId account, Guid agentId, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        db.Accounts.Add(new Account { Id = account, Name = "bench turn (throwaway)", CreatedAt = now, UpdatedAt = now });
        db.Agents.Add(new Agent
        {
            AccountId = account, Id = agentId, Name = "bench receptionist", TopK = 3, MinSimilarity = 0.3, CreatedAt = now, UpdatedAt = now,
            SystemPrompt = "You answer the phone for Harbor Lights Bistro. Answer in one or two short spoken sentences, only from the knowledge base.",
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task DeleteTenantAsync(AccountId account, CancellationToken cancellationToken)
    {
        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKeys.Vector);
        await using var conn = await dataSource.ForTenant(TenantScope.Platform).OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("DELETE FROM accounts WHERE id = $1", conn) { CommandTimeout = 0 };
        cmd.Parameters.Add(new() { Value = account.Value });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
