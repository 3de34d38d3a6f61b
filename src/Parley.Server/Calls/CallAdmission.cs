using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Parley.Calls;
using Parley.Embeddings;

namespace Parley.Server.Calls;

/// <summary>Why a node refused a call: <c>max_active_calls</c> or <c>model_queue</c>.</summary>
internal sealed record Refusal(string Reason, string Detail, TimeSpan RetryAfter);

/// <summary>
/// Whether this node takes one more call. Refusing at call setup is cheap and honest: the platform in
/// front places the call on another node, while a call admitted into a full node would see every
/// turn degrade, with every other call. Two limits: calls active in this process
/// (<see cref="CallOptions.MaxActiveCalls"/>), and how long turns wait for the embedding model now
/// (<see cref="CallOptions.MaxModelQueueWaitMs"/>), which notices a node full for any reason
/// (ingestion, searches, a slower machine) without a count tuned per machine. Calls already
/// admitted are never cut. Refusals are counted in <c>parley.calls.refused</c>.
/// </summary>
internal sealed class CallAdmission
{
    private readonly ConcurrentDictionary<Guid, long> _active = new();
    private readonly CallOptions _options;
    private readonly ModelQueueWait _wait;
    private readonly TimeProvider _time;
    private readonly Counter<long> _refused;
    private readonly Lock _gate = new();
    private int _admitting;
    private long _refusedTotal;

    public CallAdmission(IOptions<CallOptions> options, ModelQueueWait wait, TimeProvider time, IMeterFactory meters)
    {
        _options = options.Value;
        _wait = wait;
        _time = time;
        var meter = meters.Create(CallMetrics.MeterName);
        _refused = meter.CreateCounter<long>("parley.calls.refused", "{call}", "Calls refused at setup because the node was full, by reason");
        meter.CreateObservableGauge("parley.calls.active", () => (long)ActiveCalls, "{call}", "Calls started in this process and not ended");
    }

    public int ActiveCalls
    {
        get
        {
            var now = _time.GetTimestamp();
            var limit = TimeSpan.FromMinutes(_options.MaxCallMinutes);
            foreach (var (id, started) in _active)
            {
                if (_time.GetElapsedTime(started, now) > limit)
                {
                    _active.TryRemove(id, out _);
                }
            }
            return _active.Count;
        }
    }

    public long RefusedCalls => Interlocked.Read(ref _refusedTotal);

    /// <summary>The p90 of recent model queue waits (ms) and the number of waits it is over.</summary>
    public (double Ms, int Samples) ModelQueueWaitP90 => _wait.Quantile(0.9, TimeSpan.FromSeconds(_options.AdmissionWindowSeconds));

    /// <summary>
    /// Null when the call may start, and then its place is held until <see cref="Started"/> or
    /// <see cref="Abandoned"/>: calls admitted together in a burst each count before any is written, or
    /// a burst would pass the static limit. Otherwise why not (and the refusal is counted).
    /// </summary>
    public Refusal? TryAdmit()
    {
        var retry = TimeSpan.FromSeconds(_options.RetryAfterSeconds);
        Refusal? refusal = null;
        lock (_gate)
        {
            if (_options.MaxActiveCalls > 0 && ActiveCalls + _admitting >= _options.MaxActiveCalls)
            {
                refusal = new("max_active_calls", $"This node carries its limit of {_options.MaxActiveCalls} active calls.", retry);
            }
            else
            {
                _admitting++;
            }
        }
        if (refusal is null && _options.MaxModelQueueWaitMs > 0)
        {
            var (p90, samples) = ModelQueueWaitP90;
            if (samples >= _options.AdmissionMinSamples && p90 > _options.MaxModelQueueWaitMs)
            {
                refusal = new("model_queue", $"Turns on this node wait {p90:F0} ms for the embedding model (limit {_options.MaxModelQueueWaitMs:F0} ms).", retry);
                Abandoned();
            }
        }
        if (refusal is not null)
        {
            Interlocked.Increment(ref _refusedTotal);
            _refused.Add(1, new KeyValuePair<string, object?>("reason", refusal.Reason));
        }
        return refusal;
    }

    /// <summary>An admitted call was written: it counts as active until it ends.</summary>
    public void Started(Guid call)
    {
        lock (_gate)
        {
            _active[call] = _time.GetTimestamp();
            _admitting--;
        }
    }

    /// <summary>An admitted call failed to start (bad agent, database error): its place is free again.</summary>
    public void Abandoned()
    {
        lock (_gate)
        {
            _admitting--;
        }
    }

    public void Ended(Guid call) => _active.TryRemove(call, out _);
}
