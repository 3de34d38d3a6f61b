using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Parley.Calls;
using Parley.Calls.Pipeline;
using Parley.Calls.Pipeline.Stages;
using Parley.Domain;
using Parley.Transactional.Agents;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>The runner on a fake clock: budgets are kept by the clock, not by sleeping.</summary>
public sealed class TurnStageRunnerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TurnStageRunner _runner;

    public TurnStageRunnerTests() =>
        _runner = new TurnStageRunner(new CallMetrics(_services.GetRequiredService<IMeterFactory>()), _time, NullLogger<CallOrchestrator>.Instance);

    public void Dispose() => _services.Dispose();

    private TurnContext Turn(int turnBudgetMs = 500) =>
        new(Guid.NewGuid(), new AccountId(Guid.NewGuid()), new Agent { Name = "test" }, new CallOptions { TurnBudgetMs = turnBudgetMs }, speak: false, _time.GetTimestamp(), _time)
        {
            Transcript = "Is there parking?",
        };

    [Fact]
    public async Task A_stage_that_outlasts_its_budget_is_cut_off_at_the_budget_and_leaves_its_fallback()
    {
        using var turn = Turn();
        var stage = new ProbeStage(120, Forever);
        var spans = new List<Activity>();
        using var listener = Listen(spans);

        var running = _runner.RunAsync(stage, turn, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(119));
        Assert.False(running.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await running;

        Assert.Equal(["probe"], turn.Degraded);
        Assert.Equal("fallback", turn.Answer);
        Assert.Equal(120, turn.Ms("probe"));
        var span = Assert.Single(spans, s => s.DisplayName == "turn probe");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task A_retryable_attempt_is_tried_again_within_the_budget_and_a_fatal_one_falls_back_at_once()
    {
        using var turn = Turn();
        var flaky = new ProbeStage(120, (attempt, _) => Task.FromResult(attempt < 3
            ? StageResult.Retryable("upstream 503")
            : StageResult.Succeeded(t => t.Answer = "third time"))) { Attempts = 3 };
        await _runner.RunAsync(flaky, turn, CancellationToken.None);
        Assert.Equal(3, flaky.Calls);
        Assert.Equal("third time", turn.Answer);
        Assert.Empty(turn.Degraded);

        using var other = Turn();
        var refused = new ProbeStage(120, (_, _) => Task.FromResult(StageResult.Fatal("input refused"))) { Attempts = 3 };
        await _runner.RunAsync(refused, other, CancellationToken.None);
        Assert.Equal(1, refused.Calls);
        Assert.Equal("fallback", other.Answer);
        Assert.Equal(["probe"], other.Degraded);
    }

    [Fact]
    public async Task A_stage_that_throws_degrades_the_turn_instead_of_failing_it_and_a_stage_that_does_not_apply_leaves_no_trace()
    {
        using var turn = Turn();
        await _runner.RunAsync(new ProbeStage(120, (_, _) => throw new HttpRequestException("down")), turn, CancellationToken.None);
        Assert.Equal("fallback", turn.Answer);
        Assert.Equal(["probe"], turn.Degraded);

        using var answered = Turn();
        answered.Answer = "from the cache";
        var skipped = new ProbeStage(120, (_, _) => Task.FromResult(StageResult.Succeeded(t => t.Answer = "no")));
        await _runner.RunAsync(skipped, answered, CancellationToken.None);
        Assert.Equal(0, skipped.Calls);
        Assert.Equal("from the cache", answered.Answer);
        Assert.Equal(0, answered.Ms("probe"));
    }

    [Fact]
    public async Task The_turn_budget_cuts_a_stage_whose_own_budget_is_longer_and_runs_from_the_first_stage_inside_it()
    {
        using var turn = Turn(turnBudgetMs: 200);
        // Recognition is outside the turn budget: 150 ms of it do not count.
        _time.Advance(TimeSpan.FromMilliseconds(150));
        var stage = new ProbeStage(1000, Forever);
        var running = _runner.RunAsync(stage, turn, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(running.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await running;
        Assert.Equal(["probe"], turn.Degraded);
        Assert.Equal(200, turn.Ms("probe"));
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_turn_rather_than_degrading_it()
    {
        using var turn = Turn();
        using var caller = new CancellationTokenSource();
        var stage = new ProbeStage(120, Forever);
        var running = _runner.RunAsync(stage, turn, caller.Token);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Empty(turn.Degraded);
        Assert.Null(turn.Answer);
    }

    /// <summary>An attempt that ends only when its token is cancelled.</summary>
    private static async Task<StageResult> Forever(int attempt, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return StageResult.Succeeded();
    }

    private static ActivityListener Listen(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == CallTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>A stage the test scripts: each attempt gets its number and token.</summary>
    private sealed class ProbeStage(int budgetMs, Func<int, CancellationToken, Task<StageResult>> attempt) : TurnStage
    {
        public int Calls { get; private set; }

        public int Attempts { get; init; } = 1;

        public override string Name => "probe";

        public override TimeSpan? Budget(CallOptions options) => TimeSpan.FromMilliseconds(budgetMs);

        public override int MaxAttempts => Attempts;

        public override bool Applies(TurnContext turn) => !turn.Answered;

        public override Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken) => attempt(++Calls, cancellationToken);

        public override void FallBack(TurnContext turn) => turn.Answer = "fallback";
    }
}
