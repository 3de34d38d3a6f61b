using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Parley.Bench;

/// <summary>What the flood of made-up keys achieved while the load ran.</summary>
public sealed record FloodResult(int TargetPerSecond, long Sent, double AchievedPerSecond, long Unauthorized, long Other, long Failed, long Skipped, double P99Ms);

/// <summary>
/// <c>bench load --flood N</c>: N requests a second, each with a fresh made-up <c>Bearer pk_…</c> key
/// (the attack a rate limit alone does not stop: every key is new), paced in 10 ms slices with at most
/// 512 in flight; a slice that finds no room counts its requests as skipped, so the achieved rate is honest.
/// </summary>
public sealed class FloodGenerator(Uri url, int perSecond)
{
    private const int MaxInFlight = 512;
    private long _sent, _unauthorized, _other, _failed, _skipped, _inFlight;
    private readonly List<double> _ms = [];
    private readonly Lock _gate = new();

    public async Task<FloodResult> RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        long due = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var target = (long)(clock.Elapsed.TotalSeconds * perSecond);
                for (; due < target; due++)
                {
                    if (Interlocked.Read(ref _inFlight) >= MaxInFlight)
                    {
                        Interlocked.Increment(ref _skipped);
                        continue;
                    }
                    pending.Add(SendAsync(http));
                }
                pending.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending);
        double p99;
        lock (_gate)
        {
            _ms.Sort();
            p99 = _ms.Count == 0 ? 0 : _ms[Math.Min(_ms.Count - 1, (int)Math.Ceiling(_ms.Count * 0.99) - 1)];
        }
        return new FloodResult(perSecond, _sent, Math.Round(_sent / elapsed, 1), _unauthorized, _other, _failed, _skipped, Math.Round(p99, 1));
    }

    private async Task SendAsync(HttpClient http)
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _sent);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/agents");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"pk_{Random.Shared.Next():x8}_{Guid.NewGuid():N}{Guid.NewGuid():N}"[..60]);
            using var response = await http.SendAsync(request);
            Interlocked.Increment(ref response.StatusCode == HttpStatusCode.Unauthorized ? ref _unauthorized : ref _other);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (_gate)
            {
                _ms.Add(ms);
            }
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
