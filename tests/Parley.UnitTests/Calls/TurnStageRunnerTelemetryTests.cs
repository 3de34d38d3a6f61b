using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Parley.Calls;
using Parley.Calls.Pipeline;
using Parley.Calls.Pipeline.Stages;
using Parley.Domain;
using Parley.Transactional.Agents;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>
/// What the runner tells operators: the warning of a degraded stage with its reason, the line of each retried
/// attempt, and the span of a stage (its name, its tag, its error status); and a stage outside the turn's
/// budget, which only its own budget cuts.
/// </summary>
public sealed class TurnStageRunnerTelemetryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Captured _log = new();
    private readonly List<Activity> _spans = [];
    private readonly ActivityListener _listener;
    private readonly TurnStageRunner _runner;

    public TurnStageRunnerTelemetryTests()
    {
        _runner = new TurnStageRunner(new CallMetrics(_services.GetRequiredService<IMeterFactory>()), _time, _log);
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == CallTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (_spans)
                {
                    _spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private TurnContext Turn(int turnBudgetMs = 500) =>
        new(Guid.NewGuid(), new AccountId(Guid.NewGuid()), new Agent { Name = "test" }, new CallOptions { TurnBudgetMs = turnBudgetMs }, speak: false, _time.GetTimestamp(), _time)
        {
            Transcript = "Is there parking?",
        };

    /// <summary>The spans of this test's stage: other classes run stages in parallel under the same source.</summary>
    private Activity[] Spans(string stage)
    {
        lock (_spans)
        {
            return [.. _spans.Where(s => Equals(s.GetTagItem("parley.stage"), stage))];
        }
    }

    [Fact]
    public async Task Each_retried_attempt_is_logged_with_its_number_and_reason_and_the_last_failure_as_the_degraded_warning()
    {
        using var turn = Turn();
        var upstream = new HttpRequestException("503");
        var stage = new Scripted("retried", (attempt, _) => Task.FromResult(attempt < 3
            ? StageResult.Retryable("upstream 503", upstream)
            : StageResult.Fatal("input refused"))) { Attempts = 3 };
        await _runner.RunAsync(stage, turn, CancellationToken.None);

        Assert.Equal(
            [
                Line(LogLevel.Information, "Turn stage retried attempt 1 failed (upstream 503); retrying within its budget", upstream),
                Line(LogLevel.Information, "Turn stage retried attempt 2 failed (upstream 503); retrying within its budget", upstream),
                Line(LogLevel.Warning, "Turn stage retried degraded: input refused", null),
            ],
            _log.Entries);
    }

    [Fact]
    public async Task A_cut_off_stage_is_logged_as_over_its_budget_and_a_throwing_one_by_its_exception()
    {
        using var turn = Turn();
        var running = _runner.RunAsync(new Scripted("slow", Forever), turn, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(120));
        await running;

        using var other = Turn();
        var down = new HttpRequestException("down");
        await _runner.RunAsync(new Scripted("throwing", (_, _) => throw down), other, CancellationToken.None);

        Assert.Equal(
            [Line(LogLevel.Warning, "Turn stage slow degraded: budget exceeded", null), Line(LogLevel.Warning, "Turn stage throwing degraded: HttpRequestException", down)],
            _log.Entries);
    }

    [Fact]
    public async Task A_provider_that_cancels_on_its_own_is_logged_as_such_on_each_attempt()
    {
        using var turn = Turn();
        var stage = new Scripted("impatient", (_, _) => throw new TaskCanceledException("the HTTP client's own timeout")) { Attempts = 2 };
        await _runner.RunAsync(stage, turn, CancellationToken.None);

        Assert.Equal(
            ["Turn stage impatient attempt 1 failed (cancelled by the provider); retrying within its budget", "Turn stage impatient degraded: cancelled by the provider"],
            _log.Entries.Select(e => e.Item2));
        Assert.All(_log.Entries, e => Assert.IsType<TaskCanceledException>(e.Item3));
    }

    [Fact]
    public async Task A_stage_refused_beside_the_turn_is_named_in_the_error()
    {
        using var turn = Turn();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => _runner.RunBesideAsync(new Scripted("inside", (_, _) => Task.FromResult(StageResult.Succeeded())), turn, CancellationToken.None));
        Assert.Equal("Stage inside needs a budget of its own, outside the turn's, to run beside the turn.", e.Message);
    }

    [Fact]
    public async Task A_failure_without_a_reason_is_logged_by_its_outcome_in_the_turn_and_beside_it()
    {
        using var turn = Turn();
        var silent = new Scripted("silent", (_, _) => Task.FromResult(new StageResult(StageOutcome.Fatal, null, null, null)));
        await _runner.RunAsync(silent, turn, CancellationToken.None);
        var beside = new Scripted("silent", (_, _) => Task.FromResult(new StageResult(StageOutcome.Fatal, null, null, null))) { WithinTurn = false };
        await _runner.RunBesideAsync(beside, turn, CancellationToken.None);

        Assert.Equal([Line(LogLevel.Warning, "Turn stage silent degraded: Fatal", null), Line(LogLevel.Warning, "Turn stage silent degraded: Fatal", null)], _log.Entries);
    }

    [Fact]
    public async Task A_stage_has_a_span_named_and_tagged_after_it_marked_as_an_error_only_when_it_failed()
    {
        using var turn = Turn();
        await _runner.RunAsync(new Scripted("spanned", (_, _) => Task.FromResult(StageResult.Succeeded())), turn, CancellationToken.None);
        var ok = Assert.Single(Spans("spanned"));
        Assert.Equal("turn spanned", ok.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);

        await _runner.RunBesideAsync(new Scripted("beside", (_, _) => Task.FromResult(StageResult.Succeeded())) { WithinTurn = false }, turn, CancellationToken.None);
        var besideOk = Assert.Single(Spans("beside"));
        Assert.Equal("turn beside", besideOk.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, besideOk.Status);

        var (failed, _) = await _runner.RunBesideAsync(
            new Scripted("beside-failed", (_, _) => Task.FromResult(StageResult.Fatal("voice missing"))) { WithinTurn = false }, turn, CancellationToken.None);
        Assert.Equal(StageOutcome.Fatal, failed.Outcome);
        var besideFailed = Assert.Single(Spans("beside-failed"));
        Assert.Equal(ActivityStatusCode.Error, besideFailed.Status);
        Assert.Equal("degraded", besideFailed.StatusDescription);

        await _runner.RunAsync(new Scripted("failed", (_, _) => Task.FromResult(StageResult.Fatal("refused"))), turn, CancellationToken.None);
        var failedSpan = Assert.Single(Spans("failed"));
        Assert.Equal("turn failed", failedSpan.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, failedSpan.Status);
        Assert.Equal("degraded", failedSpan.StatusDescription);
        Assert.Equal(
            [Line(LogLevel.Warning, "Turn stage beside-failed degraded: voice missing", null), Line(LogLevel.Warning, "Turn stage failed degraded: refused", null)],
            _log.Entries);
    }

    [Fact]
    public async Task A_stage_outside_the_turn_budget_runs_to_its_own_budget_past_the_turns()
    {
        using var turn = Turn(turnBudgetMs: 200);
        var token = new TaskCompletionSource<CancellationToken>();
        var stage = new Scripted("outside", (attempt, ct) =>
        {
            token.SetResult(ct);
            return Forever(attempt, ct);
        }) { WithinTurn = false, BudgetMs = 1000 };
        var running = _runner.RunAsync(stage, turn, CancellationToken.None);
        // The token, not the task: xunit's synchronisation context may still hold the cut-off stage's continuation.
        var budget = await token.Task;
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(budget.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(budget.IsCancellationRequested);
        await running;

        Assert.Equal(["outside"], turn.Degraded);
        Assert.Equal(1000, turn.Ms("outside"));
    }

    private static (LogLevel, string, Exception?) Line(LogLevel level, string message, Exception? exception) => (level, message, exception);

    /// <summary>An attempt that ends only when its token is cancelled.</summary>
    private static async Task<StageResult> Forever(int attempt, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return StageResult.Succeeded();
    }

    /// <summary>Keeps what the runner logs: level, message and exception.</summary>
    private sealed class Captured : ILogger<CallOrchestrator>
    {
        private readonly List<(LogLevel, string, Exception?)> _entries = [];

        public (LogLevel, string, Exception?)[] Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }

    /// <summary>A stage the test scripts and names: each attempt gets its number and token.</summary>
    private sealed class Scripted(string name, Func<int, CancellationToken, Task<StageResult>> attempt) : TurnStage
    {
        private int _calls;

        public int Attempts { get; init; } = 1;

        public int BudgetMs { get; init; } = 120;

        public bool WithinTurn { get; init; } = true;

        public override string Name => name;

        public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(BudgetMs);

        public override bool WithinTurnBudget => WithinTurn;

        public override int MaxAttempts => Attempts;

        public override bool Applies(TurnContext turn) => true;

        public override Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken) => attempt(++_calls, cancellationToken);

        public override void FallBack(TurnContext turn) => turn.Answer = "fallback";
    }
}
