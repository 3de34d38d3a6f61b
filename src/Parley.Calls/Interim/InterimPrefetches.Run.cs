using Microsoft.Extensions.Logging;
using Parley.Transactional.Agents;

namespace Parley.Calls.Interim;

/// <summary>The background side: one call's prefetches, one after another.</summary>
public sealed partial class InterimPrefetches
{
    /// <summary>Runs the call's prefetch, then its next interim if one came meanwhile, until none waits.</summary>
    private async Task RunAsync(CallSlot slot, InterimEntry entry, Agent agent)
    {
        for (var current = entry; current is not null;)
        {
            Prefetched? result = null;
            var token = slot.Cancel.Token;
            try
            {
                // Waiting for a place is bounded by the TTL: a prefetch later than that would be dropped unused.
                if (await _running.WaitAsync(Ttl, token))
                {
                    try
                    {
                        // Its own budget, so a stuck search does not hold a place (see CallOptions.InterimPrefetchBudgetMs).
                        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.InterimPrefetchBudgetMs), _time);
                        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, budget.Token);
                        result = await _search.RunAsync(slot.Account, agent, current.Text, linked.Token);
                    }
                    finally
                    {
                        _running.Release();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The call ended, or the prefetch ran out of time: the final turn searches as it would have.
            }
            catch (Exception e)
            {
                LogFailed(_logger, e);
            }
            current.Done.TrySetResult(result);
            current = null;
            lock (_gate)
            {
                _inFlight--;
                slot.Running = false;
                if (slot.Next is { } next)
                {
                    slot.Next = null;
                    agent = next.Agent;
                    current = AddLocked(slot, next.Text, _time.GetTimestamp());
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An interim prefetch failed; the final turn will search as usual")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
