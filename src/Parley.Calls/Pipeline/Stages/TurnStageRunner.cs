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
        var result = await BudgetedAsync(stage, turn, budget, stage.WithinTurnBudget ? turn.TurnBudget(cancellationToken) : cancellationToken,
            cancellationToken);
        Settle(stage, turn, result, activity);
        var elapsed = time.GetElapsedTime(started);
        turn.Ran(stage.Name, elapsed);
        metrics.Stage(turn.Account, stage.Name, elapsed);
    }

    /// <summary>
    /// Runs a budgeted stage beside the turn's own flow (speech of a sentence while the answer streams):
    /// budget, retries, span, metric and log as <see cref="RunAsync"/>, but the result is handed back,
    /// not settled, since only the turn's flow writes the turn. Such a stage is outside the turn's budget
    /// (<see cref="TurnStage.WithinTurnBudget"/> false): that token belongs to the turn's flow.
    /// </summary>
    public async Task<(StageResult Result, TimeSpan Elapsed)> RunBesideAsync(TurnStage stage, TurnContext turn, CancellationToken cancellationToken)
    {
        if (stage.Budget(turn.Options) is not { } budget || stage.WithinTurnBudget)
        {
            throw new InvalidOperationException($"Stage {stage.Name} needs a budget of its own, outside the turn's, to run beside the turn.");
        }
        using var activity = CallTelemetry.Source.StartActivity($"turn {stage.Name}")?.SetTag("parley.stage", stage.Name);
        var started = time.GetTimestamp();
        var result = await BudgetedAsync(stage, turn, budget, cancellationToken, cancellationToken);
        if (result.Outcome != StageOutcome.Succeeded)
        {
            LogDegraded(logger, stage.Name, result.Reason ?? result.Outcome.ToString(), result.Error);
            activity?.SetStatus(ActivityStatusCode.Error, "degraded");
        }
        var elapsed = time.GetElapsedTime(started);
        metrics.Stage(turn.Account, stage.Name, elapsed);
        return (result, elapsed);
    }

    private async Task<StageResult> BudgetedAsync(
        TurnStage stage, TurnContext turn, TimeSpan budget, CancellationToken outer, CancellationToken caller)
    {
        using var timer = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, timer.Token);
        return await AttemptAsync(stage, turn, linked.Token, caller);
    }

    private async Task<StageResult> AttemptAsync(TurnStage stage, TurnContext turn, CancellationToken budget, CancellationToken caller)
    {
        for (var attempt = 1; ; attempt++)
        {
            StageResult result;
            try
            {
                // Cancellation is cooperative: every provider here honours its token (HTTP clients, the
                // model's session queue, Npgsql). Stopping the wait at the budget instead (Task.WaitAsync)
                // was tried and dropped: what a cut-off stage still does on its way out, such as the search
                // recording a cut-off search with the time it ran (for latency alerts), then landed after
                // the turn had returned.
                result = await stage.RunAsync(turn, budget);
            }
            catch (OperationCanceledException e) when (!caller.IsCancellationRequested)
            {
                if (budget.IsCancellationRequested)
                {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Turn stage {Stage} degraded: {Reason}")]
    private static partial void LogDegraded(ILogger logger, string stage, string reason, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Turn stage {Stage} attempt {Attempt} failed ({Reason}); retrying within its budget")]
    private static partial void LogRetry(ILogger logger, string stage, int attempt, string? reason, Exception? exception);
}
