using System.Diagnostics.Metrics;
using Parley.Domain;

namespace Parley.Calls.Interim;

/// <summary>
/// Interim prefetching, on the <c>Parley.Calls</c> meter: prefetches started, interims refused (tag
/// <c>reason</c>), and final turns that had prefetches, used (tag <c>parley.match</c> = <c>exact</c> or
/// <c>similar</c>) or not. The store publishes its own gauges.
/// </summary>
internal sealed class InterimMetrics
{
    private readonly Counter<long> _started;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;

    public InterimMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CallMetrics.MeterName);
        _started = meter.CreateCounter<long>("parley.interim.prefetches", "{prefetch}", "Interim transcripts embedded and searched ahead of the final one");
        _refused = meter.CreateCounter<long>("parley.interim.refused", "{interim}", "Interim transcripts not prefetched because a limit was reached (tag reason)");
        _hits = meter.CreateCounter<long>("parley.interim.hits", "{turn}", "Final turns answered from a prefetched interim's passages (tag parley.match)");
        _misses = meter.CreateCounter<long>("parley.interim.misses", "{turn}", "Final turns that had prefetched interims and searched anyway");
    }

    public void Started(AccountId account) => _started.Add(1, new KeyValuePair<string, object?>("parley.account.id", account.ToString()));

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Hit(AccountId account, string match) =>
        _hits.Add(1, new("parley.account.id", account.ToString()), new("parley.match", match));

    public void Miss(AccountId account) => _misses.Add(1, new KeyValuePair<string, object?>("parley.account.id", account.ToString()));
}
