using System.Diagnostics.Metrics;
using Parley.Domain;

namespace Parley.Calls;

/// <summary>Meter <c>Parley.Calls</c>: per-stage and whole-turn durations, answer-cache hits, degraded stages.</summary>
public sealed class CallMetrics
{
    public const string MeterName = "Parley.Calls";

    private readonly Histogram<double> _turn;
    private readonly Histogram<double> _stage;
    private readonly Counter<long> _turns;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _degraded;
    private readonly Counter<long> _speechHits;
    private readonly Counter<long> _speechMisses;

    public CallMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        double[] buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];
        _turn = meter.CreateHistogram<double>("parley.turn.duration", "s", "Whole phone turn", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
        _stage = meter.CreateHistogram<double>("parley.turn.stage.duration", "s", "One stage of a turn (tag parley.stage)", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
        _turns = meter.CreateCounter<long>("parley.turns", "{turn}", "Phone turns answered");
        _cacheHits = meter.CreateCounter<long>("parley.answer_cache.hits", "{turn}", "Turns answered from the semantic answer cache");
        _cacheMisses = meter.CreateCounter<long>("parley.answer_cache.misses", "{turn}", "Turns the answer cache could not serve");
        _degraded = meter.CreateCounter<long>("parley.degraded_stages", "{stage}", "Stages that fell back (tag parley.stage)");
        _speechHits = meter.CreateCounter<long>("parley.speech_cache.hits", "{turn}", "Answers whose audio came from the speech cache");
        _speechMisses = meter.CreateCounter<long>("parley.speech_cache.misses", "{turn}", "Answers that had to be spoken");
    }

    public void SpeechCache(bool hit) => (hit ? _speechHits : _speechMisses).Add(1);

    public void AnswerCache(AccountId account, bool hit) =>
        (hit ? _cacheHits : _cacheMisses).Add(1, new KeyValuePair<string, object?>("parley.account.id", account.ToString()));

    /// <summary>One budgeted stage that ran (a stage that did not run has no duration, not 0 ms).</summary>
    public void Stage(AccountId account, string stage, TimeSpan elapsed) =>
        _stage.Record(elapsed.TotalSeconds, new("parley.account.id", account.ToString()), new("parley.stage", stage));

    /// <summary>A stage that fell back.</summary>
    public void Degraded(AccountId account, string stage) =>
        _degraded.Add(1, new("parley.account.id", account.ToString()), new("parley.stage", stage));

    /// <summary>A whole turn, answered.</summary>
    public void Turn(AccountId account, double totalMs)
    {
        var a = new KeyValuePair<string, object?>("parley.account.id", account.ToString());
        _turn.Record(totalMs / 1000, a);
        _turns.Add(1, a);
    }
}
