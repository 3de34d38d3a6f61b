using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Parley.Calls.Pipeline.Stages;

/// <summary>
/// Runs the stages of a turn, and is the one place that owns what surrounds them (kernel-memory's
/// orchestrator over named handlers is the model): the budget (a linked token cancelled by the
/// <see cref="TimeProvider"/>), retries, the fallback, the span, the stage metric and the
/// <c>degraded</c> mark. A stage that misses its budget, throws, or gives up is cut off and the turn
/// goes on with its fallback; only the caller's own cancellation ends the turn.
/// </summary>
/// <remarks>It logs under the orchestrator's category, the one operators' filters (and <c>bench turn</c>'s) name.</remarks>
internal sealed partial class TurnStageRunner(CallMetrics metrics, TimeProvider time, ILogger<CallOrchestrator> logger)
{
    public async Task RunAsync(TurnStage stage, TurnContext turn, CancellationToken cancellationToken)
    {
        if (!stage.Applies(turn))
        {
            return;
        }
        if (stage.Budget(turn.Options) is not { } budget)
        {
            Settle(stage, turn, await stage.RunAsync(turn, cancellationToken), null);
            return;
        }
        using var activity = CallTelemetry.Source.StartActivity($"turn {stage.Name}")?.SetTag("parley.stage", stage.Name);
        var started = time.GetTimestamp();
        using var timer = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(
            stage.WithinTurnBudget ? turn.TurnBudget(cancellationToken) : cancellationToken, timer.Token);
        var result = await AttemptAsync(stage, turn, linked.Token, cancellationToken);
        Settle(stage, turn, result, activity);
        var elapsed = time.GetElapsedTime(started);
        turn.Ran(stage.Name, elapsed);
        metrics.Stage(turn.Account, stage.Name, elapsed);
    }

    private async Task<StageResult> AttemptAsync(TurnStage stage, TurnContext turn, CancellationToken budget, CancellationToken caller)
    {
        for (var attempt = 1; ; attempt++)
        {
            Task<StageResult>? running = null;
            StageResult result;
            try
            {
                running = stage.RunAsync(turn, budget);
                // The budget is a promise to the caller, so the turn stops waiting when it ends, even if
                // the provider is slow to notice its token: measured on a loaded machine, the first
                // OpenAI request of a process took over a second past a 600 ms budget to give up.
                result = await running.WaitAsync(budget);
            }
            catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
            {
                if (budget.IsCancellationRequested)
                {
                    Abandon(running);
                    return StageResult.Fatal("budget exceeded");
                }
                // Not our token: the provider gave up on its own (an HTTP client's timeout).
                result = StageResult.Retryable("cancelled by the provider", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result = StageResult.Retryable(e.GetType().Name, e);
            }
            if (result.Outcome == StageOutcome.Retryable && attempt < stage.MaxAttempts && !budget.IsCancellationRequested)
            {
                LogRetry(logger, stage.Name, attempt, result.Reason, result.Error);
                continue;
            }
            return result;
        }
    }

    /// <summary>Leaves the result in the turn, or the fallback and the mark.</summary>
    private void Settle(TurnStage stage, TurnContext turn, StageResult result, Activity? activity)
    {
        if (result.Outcome == StageOutcome.Succeeded)
        {
            result.Apply?.Invoke(turn);
            return;
        }
        LogDegraded(logger, stage.Name, result.Reason ?? result.Outcome.ToString(), result.Error);
        activity?.SetStatus(ActivityStatusCode.Error, "degraded");
        stage.FallBack(turn);
        turn.MarkDegraded(stage.Name);
        metrics.Degraded(turn.Account, stage.Name);
    }

    /// <summary>A stage cut off may still finish or fail later: its result is dropped (it never applied it), its exception observed.</summary>
    private static void Abandon(Task<StageResult>? running) =>
        running?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Turn stage {Stage} degraded: {Reason}")]
    private static partial void LogDegraded(ILogger logger, string stage, string reason, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Turn stage {Stage} attempt {Attempt} failed ({Reason}); retrying within its budget")]
    private static partial void LogRetry(ILogger logger, string stage, int attempt, string? reason, Exception? exception);
}
