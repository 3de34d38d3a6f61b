using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Parley.Domain;
using Parley.Transactional.Agents;

namespace Parley.Calls.Interim;

/// <summary>
/// The interim transcripts of live calls and their prefetches, in this process's memory (a final turn
/// taken by another process simply searches). Bounded three ways, all counted: the newest
/// <see cref="CallOptions.InterimPrefetchesPerCall"/> per call, <see cref="CallOptions.InterimMaxCallsPerAccount"/>
/// calls per account so one tenant cannot fill the node, <see cref="CallOptions.InterimMaxCalls"/> calls per node;
/// entries older than <see cref="CallOptions.InterimPrefetchSeconds"/> are dropped, and so is a call's all when it
/// ends or its final turn takes them. A call runs one prefetch at a time: an interim that arrives meanwhile
/// waits as the call's next, and a newer one replaces it (a recogniser's interims come faster than a search
/// on a busy node, and only the latest is worth the work). At most <see cref="CallOptions.InterimConcurrency"/>
/// prefetches run in the process at once.
/// </summary>
/// <remarks>One lock for the whole store: each operation under it is a few dictionary and list steps.</remarks>
public sealed partial class InterimPrefetches : IDisposable
{
    // Its token source is never disposed: it has no timer, and a prefetch of a taken call may still read its token.
    private sealed class CallSlot(AccountId account, long touched)
    {
        public AccountId Account { get; } = account;
        public LinkedList<InterimEntry> Entries { get; } = new();
        public (string Text, Agent Agent)? Next { get; set; }
        public bool Running { get; set; }
        /// <summary>Interims offered for this utterance, duplicates and replaced ones included: what the call log counts.</summary>
        public int Arrived { get; set; }
        public long Touched { get; set; } = touched;
        public CancellationTokenSource Cancel { get; } = new();
    }

    private readonly Dictionary<Guid, CallSlot> _calls = [];
    private readonly Dictionary<AccountId, int> _perAccount = [];
    private readonly Lock _gate = new();
    private readonly CallOptions _options;
    private readonly InterimSearch _search;
    private readonly InterimMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<InterimPrefetches> _logger;
    private readonly SemaphoreSlim _running;
    private long _lastPrune;
    private int _inFlight;

    internal InterimPrefetches(
        CallOptions options, InterimSearch search, InterimMetrics metrics, TimeProvider time, IMeterFactory meters, ILogger<InterimPrefetches> logger)
    {
        _options = options;
        _search = search;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _running = new SemaphoreSlim(options.InterimConcurrency);
        _lastPrune = time.GetTimestamp();
        var meter = meters.Create(CallMetrics.MeterName);
        meter.CreateObservableGauge("parley.interim.calls", () => (long)HeldCalls, "{call}", "Calls of this process holding interim prefetches");
        meter.CreateObservableGauge("parley.interim.entries", () => (long)HeldEntries, "{prefetch}", "Interim prefetches held by this process");
    }

    private TimeSpan Ttl => TimeSpan.FromSeconds(_options.InterimPrefetchSeconds);

    /// <summary>Calls holding prefetches now.</summary>
    public int HeldCalls
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Prefetches held now, over every call.</summary>
    public int HeldEntries
    {
        get
        {
            lock (_gate)
            {
                return _calls.Values.Sum(c => c.Entries.Count);
            }
        }
    }

    /// <summary>Prefetches running or waiting for a place now (a call's next interim, queued behind its running one, not counted).</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Calls of one account holding prefetches now.</summary>
    public int HeldCallsOf(AccountId account)
    {
        lock (_gate)
        {
            return _perAccount.GetValueOrDefault(account);
        }
    }

    /// <summary>
    /// Takes an interim of a call the caller has checked is the account's and active, and starts (or queues)
    /// its prefetch in the background.
    /// </summary>
    internal InterimOutcome Offer(AccountId account, Guid callId, Agent agent, string text)
    {
        if (_options.InterimMaxCalls == 0)
        {
            return new(false, InterimOutcome.Disabled);
        }
        var now = _time.GetTimestamp();
        CallSlot slot;
        InterimEntry? start = null;
        InterimOutcome outcome;
        lock (_gate)
        {
            if (_time.GetElapsedTime(_lastPrune, now) > Ttl / 4)
            {
                PruneLocked(now);
            }
            if (!_calls.TryGetValue(callId, out var found) || found.Account != account)
            {
                if (found is not null)
                {
                    // Call ids are unique across accounts; a different account here is a bug upstream, not a tenant's to see.
                    return new(false, InterimOutcome.Disabled);
                }
                if (_perAccount.GetValueOrDefault(account) >= _options.InterimMaxCallsPerAccount || _calls.Count >= _options.InterimMaxCalls)
                {
                    PruneLocked(now);
                }
                var reason = _perAccount.GetValueOrDefault(account) >= _options.InterimMaxCallsPerAccount ? InterimOutcome.AccountLimit
                    : _calls.Count >= _options.InterimMaxCalls ? InterimOutcome.NodeLimit : null;
                if (reason is not null)
                {
                    _metrics.Refused(reason);
                    return new(false, reason);
                }
                found = new CallSlot(account, now);
                _calls[callId] = found;
                _perAccount[account] = _perAccount.GetValueOrDefault(account) + 1;
            }
            slot = found;
            slot.Touched = now;
            slot.Arrived++;
            if (slot.Entries.Any(e => InterimEntry.SameText(e.Text, text)) || (slot.Next is { } next && InterimEntry.SameText(next.Text, text)))
            {
                return new(false, InterimOutcome.Duplicate);
            }
            if (slot.Running)
            {
                slot.Next = (text, agent);
                outcome = new(true, InterimOutcome.Queued);
            }
            else
            {
                start = AddLocked(slot, text, now);
                outcome = new(true, null);
            }
        }
        if (start is not null)
        {
            _ = RunAsync(slot, start, agent);
        }
        return outcome;
    }

    /// <summary>
    /// A final turn of the call takes what its interims prefetched (newest first, those within the TTL), and
    /// the call starts afresh for the next utterance. A prefetch still running goes on and can be awaited.
    /// Also how many interims arrived for the utterance (for the call log), those past the TTL included.
    /// </summary>
    internal (IReadOnlyList<InterimEntry> Entries, int Arrived) Take(AccountId account, Guid callId)
    {
        lock (_gate)
        {
            if (!_calls.TryGetValue(callId, out var slot) || slot.Account != account)
            {
                return ([], 0);
            }
            RemoveLocked(callId, slot, cancel: false);
            var now = _time.GetTimestamp();
            return (slot.Entries.Where(e => _time.GetElapsedTime(e.StartedAt, now) <= Ttl).ToList(), slot.Arrived);
        }
    }

    /// <summary>The call ended: its prefetches are dropped and any still running is cancelled.</summary>
    public void Drop(Guid callId)
    {
        lock (_gate)
        {
            if (_calls.TryGetValue(callId, out var slot))
            {
                RemoveLocked(callId, slot, cancel: true);
            }
        }
    }

    private InterimEntry AddLocked(CallSlot slot, string text, long now)
    {
        var entry = new InterimEntry(text, now);
        slot.Entries.AddFirst(entry);
        while (slot.Entries.Count > _options.InterimPrefetchesPerCall)
        {
            slot.Entries.RemoveLast();
        }
        slot.Running = true;
        _inFlight++;
        _metrics.Started(slot.Account);
        return entry;
    }

    private void RemoveLocked(Guid callId, CallSlot slot, bool cancel)
    {
        if (!_calls.Remove(callId))
        {
            return;
        }
        slot.Next = null;
        var left = _perAccount[slot.Account] - 1;
        if (left == 0)
        {
            _perAccount.Remove(slot.Account);
        }
        else
        {
            _perAccount[slot.Account] = left;
        }
        if (cancel)
        {
            slot.Cancel.Cancel();
        }
    }

    /// <summary>Drops the calls nobody offered an interim to within the TTL: a caller gone quiet, a call timed out or ended on another node.</summary>
    private void PruneLocked(long now)
    {
        _lastPrune = now;
        foreach (var (id, slot) in _calls.Where(c => _time.GetElapsedTime(c.Value.Touched, now) > Ttl).ToList())
        {
            RemoveLocked(id, slot, cancel: true);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (id, slot) in _calls.ToList())
            {
                RemoveLocked(id, slot, cancel: true);
            }
        }
    }
}
