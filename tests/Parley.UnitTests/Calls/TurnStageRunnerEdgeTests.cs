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

/// <summary>
/// The runner's edges: a stage without a budget, a provider that cancels on its own, retries that stop at
/// the budget or the attempt limit, a stage run beside the turn, and what each leaves in the stage metrics.
/// </summary>
public sealed class TurnStageRunnerEdgeTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, string? Stage)> _measured = [];
    private readonly TurnStageRunner _runner;

    public TurnStageRunnerEdgeTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _runner = new TurnStageRunner(new CallMetrics(meters), _time, NullLogger<CallOrchestrator>.Instance);
        // Only this test's meters: other classes run in parallel with meters of the same name.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? stage = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "parley.stage")
            {
                stage = tag.Value as string;
            }
        }
        lock (_measured)
        {
            _measured.Add((instrument.Name, value, stage));
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private TurnContext Turn() =>
        new(Guid.NewGuid(), new AccountId(Guid.NewGuid()), new Agent { Name = "test" }, new CallOptions { TurnBudgetMs = 500 }, speak: false, _time.GetTimestamp(), _time)
        {
            Transcript = "Is there parking?",
        };

    [Fact]
    public async Task A_stage_without_a_budget_is_settled_with_no_timing_and_its_fallback_counted_as_degraded()
    {
        using var turn = Turn();
        var stage = new Scripted((_, _) => Task.FromResult(StageResult.Fatal("refused"))) { BudgetMs = null };
        await _runner.RunAsync(stage, turn, CancellationToken.None);

        Assert.Equal("fallback", turn.Answer);
        Assert.Equal(["edge"], turn.Degraded);
        Assert.Equal(0, turn.Ms("edge"));
        Assert.Equal(new[] { ("parley.degraded_stages", 1d, (string?)"edge") }, _measured.Select(m => (m.Instrument, m.Value, m.Stage)));
    }

    [Fact]
    public async Task A_budgeted_stage_that_succeeds_leaves_its_result_its_timing_and_one_duration_and_no_degraded_count()
    {
        using var turn = Turn();
        var stage = new Scripted((_, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(30));
            return Task.FromResult(StageResult.Succeeded(t => t.Answer = "done"));
        });
        await _runner.RunAsync(stage, turn, CancellationToken.None);

        Assert.Equal("done", turn.Answer);
        Assert.Empty(turn.Degraded);
        Assert.Equal(30, turn.Ms("edge"));
        var (instrument, seconds, tag) = Assert.Single(_measured);
        Assert.Equal(("parley.turn.stage.duration", "edge"), (instrument, tag));
        Assert.Equal(0.03, seconds, 6);
    }

    [Fact]
    public async Task A_provider_that_cancels_on_its_own_is_tried_again()
    {
        using var turn = Turn();
        var stage = new Scripted((attempt, _) => attempt == 1
            ? throw new TaskCanceledException("the HTTP client's own timeout")
            : Task.FromResult(StageResult.Succeeded(t => t.Answer = "second"))) { Attempts = 2 };
        await _runner.RunAsync(stage, turn, CancellationToken.None);

        Assert.Equal(2, stage.Calls);
        Assert.Equal("second", turn.Answer);
        Assert.Empty(turn.Degraded);
    }

    [Fact]
    public async Task Retries_stop_at_the_attempt_limit_and_at_the_budget()
    {
        using var limited = Turn();
        var always = new Scripted((_, _) => Task.FromResult(StageResult.Retryable("503"))) { Attempts = 2 };
        await _runner.RunAsync(always, limited, CancellationToken.None);
        Assert.Equal(2, always.Calls);
        Assert.Equal(["edge"], limited.Degraded);

        using var spent = Turn();
        var slow = new Scripted((_, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(150));
            return Task.FromResult(StageResult.Retryable("503"));
        }) { Attempts = 5 };
        await _runner.RunAsync(slow, spent, CancellationToken.None);
        Assert.Equal(1, slow.Calls);
        Assert.Equal("fallback", spent.Answer);
    }

    [Fact]
    public async Task A_stage_beside_the_turn_hands_its_result_back_and_leaves_the_turn_alone()
    {
        using var turn = Turn();
        var failing = new Scripted((_, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            return Task.FromResult(StageResult.Fatal("voice missing"));
        }) { WithinTurn = false };
        var (result, elapsed) = await _runner.RunBesideAsync(failing, turn, CancellationToken.None);

        Assert.Equal(StageOutcome.Fatal, result.Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(20), elapsed);
        Assert.Null(turn.Answer);
        Assert.Empty(turn.Degraded);
        Assert.Equal(0, turn.Ms("edge"));
        Assert.Equal(new[] { ("parley.turn.stage.duration", 0.02, (string?)"edge") }, _measured.Select(m => (m.Instrument, Math.Round(m.Value, 6), m.Stage)));

        var succeeding = new Scripted((_, _) => Task.FromResult(StageResult.Succeeded(t => t.Answer = "not here"))) { WithinTurn = false };
        var (ok, _) = await _runner.RunBesideAsync(succeeding, turn, CancellationToken.None);
        Assert.Equal(StageOutcome.Succeeded, ok.Outcome);
        Assert.Null(turn.Answer);
    }

    [Fact]
    public async Task Only_a_stage_with_a_budget_outside_the_turns_may_run_beside_it()
    {
        using var turn = Turn();
        var within = new Scripted((_, _) => Task.FromResult(StageResult.Succeeded()));
        var unbudgeted = new Scripted((_, _) => Task.FromResult(StageResult.Succeeded())) { WithinTurn = false, BudgetMs = null };
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunBesideAsync(within, turn, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runner.RunBesideAsync(unbudgeted, turn, CancellationToken.None));
        Assert.Equal(0, within.Calls + unbudgeted.Calls);
    }

    /// <summary>A stage the test scripts: each attempt gets its number and token.</summary>
    private sealed class Scripted(Func<int, CancellationToken, Task<StageResult>> attempt) : TurnStage
    {
        public int Calls { get; private set; }

        public int Attempts { get; init; } = 1;

        public int? BudgetMs { get; init; } = 120;

        public bool WithinTurn { get; init; } = true;

        public override string Name => "edge";

        public override TimeSpan? Budget(CallOptions options) => BudgetMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

        public override bool WithinTurnBudget => WithinTurn;

        public override int MaxAttempts => Attempts;

        public override bool Applies(TurnContext turn) => true;

        public override Task<StageResult> RunAsync(TurnContext turn, CancellationToken cancellationToken) => attempt(++Calls, cancellationToken);

        public override void FallBack(TurnContext turn) => turn.Answer = "fallback";
    }
}
