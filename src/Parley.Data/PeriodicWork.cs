namespace Parley.Data;

/// <summary>
/// The loop of a background service that does one piece of work per period (the idle-call sweep, the
/// latency monitor's check): a failed run is reported and the next tick tries again; stopping ends the
/// loop quietly. The timer takes the host's <see cref="TimeProvider"/>, so tests move it with a fake clock.
/// </summary>
public static class PeriodicWork
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> once, Action<Exception> failed,
        CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await once(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
