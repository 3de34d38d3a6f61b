using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Net.Http.Json;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>What the load run does: <paramref name="Calls"/> calls at once, each of <paramref name="TurnsPerCall"/> turns, for <paramref name="Duration"/>.</summary>
/// <param name="Think">Pause between a caller's turns (0: the next turn as soon as the answer is in).</param>
/// <param name="Speak">Ask for speech (espeak-ng) on every turn, as a phone line does.</param>
/// <param name="Unique">Vary every question so the semantic answer cache rarely answers (measures search and answer, not the cache).</param>
/// <param name="Stream">Ask for streamed turns (<c>Accept: text/event-stream</c>) and time the first piece and the first audio as they arrive.</param>
public sealed record LoadOptions(int Calls, TimeSpan Duration, int TurnsPerCall, TimeSpan Think, bool Speak, bool Unique, bool Stream = false);

/// <summary>Progress while the load runs.</summary>
public sealed record LoadProgress(TimeSpan Elapsed, int Turns, int Errors, int CallsCompleted, double TurnsPerSecond, double P95Ms);

/// <summary>The figures of a load run (all latencies in milliseconds).</summary>
public sealed record LoadResult(
    int Calls, double Seconds, double ElapsedSeconds, int TurnsPerCall, bool Speak, bool Unique, string Url,
    int CallsStarted, int CallsCompleted, int Turns, int Errors, IReadOnlyDictionary<string, int> ErrorsByKind,
    double TurnsPerSecond, double CachedRatio, double DegradedRatio,
    IReadOnlyDictionary<string, LatencySummary> Stages, LatencySummary EndToEndMs, LatencySummary CallSetupMs)
{
    /// <summary>Standbys the server read from, when the benchmark started it (null: not known, <c>--url</c>).</summary>
    public int? Replicas { get; init; }

    /// <summary>The made-up-key flood that ran beside the load (<c>--flood N</c>), or null.</summary>
    public FloodResult? Flood { get; init; }

    /// <summary>Calls the server refused at setup (503, the node full): not errors, the platform would place them elsewhere.</summary>
    public int RefusedCalls { get; init; }

    /// <summary>CPU the load generator itself used, in seconds and as a share of the machine's cores: it shares them with the server.</summary>
    public double BenchCpuSeconds { get; init; }

    public double BenchCpuShare { get; init; }

    /// <summary>Streamed turns: from sending the turn to reading its first <c>answer</c> event, at the client; null when not streaming.</summary>
    public LatencySummary? FirstTokenMs { get; init; }

    /// <summary>Streamed turns: from sending the turn to reading its first <c>audio</c> event (what the caller waits to hear something); null when not streaming.</summary>
    public LatencySummary? FirstAudioMs { get; init; }
}

/// <summary>
/// Simulated phone calls against a running server over HTTP: each of <c>Calls</c> lines starts a call
/// (<c>POST /v1/calls</c>), takes its turns (<c>POST /v1/calls/{id}/turns</c>), ends it, and starts the
/// next until the time is up. Per-stage figures come from the server's own timings in each turn's
/// answer; end to end is what the caller waited, measured here.
/// </summary>
public sealed class LoadBenchmark(HttpClient client, Guid agentId, LoadOptions options)
{
    private static readonly string[] Questions =
    [
        "What time do you open on Sunday?", "Is there parking near the restaurant?", "Can I bring my dog?", "Do you have a kids menu?",
        "How much is the corkage fee?", "Do you take American Express?", "Is brunch served on Saturday?", "Can I book a table for eight people?",
        "What is your cancellation policy?", "Do you have gluten free dishes?", "Are you open on Christmas Day?", "Is the restaurant wheelchair accessible?",
        "Do you sell gift cards?", "Is there live music this week?", "Can I order takeaway?", "What is the dress code?",
        "How much is the lobster?", "Do you have vegan options?", "Where exactly are you located?", "How do I join the loyalty club?",
        "Can I host a private event?", "What wines do you serve by the glass?", "Do you have a lunch menu?", "I lost my scarf at dinner yesterday",
    ];

    private static readonly string[] Stages = ["embedMs", "searchMs", "llmMs", "ttsMs", "totalMs"];

    private readonly ConcurrentQueue<(double ClientMs, double[] Stages, bool Cached, bool Degraded, long At)> _turns = new();
    private readonly ConcurrentQueue<double> _callSetup = new();
    private readonly ConcurrentQueue<double> _firstToken = new();
    private readonly ConcurrentQueue<double> _firstAudio = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private int _callsStarted;
    private int _callsCompleted;
    private int _refused;

    public async Task<LoadResult> RunAsync(IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        // Lines start no new turn after the duration; a turn already sent may finish (bounded by the client timeout).
        using var stopStarting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopStarting.CancelAfter(options.Duration);
        var lines = Enumerable.Range(0, options.Calls).Select(i => Task.Run(() => LineAsync(i, stopStarting.Token, cancellationToken), cancellationToken)).ToList();
        var all = Task.WhenAll(lines);
        while (!all.IsCompleted)
        {
            // Not the caller's token: once cancelled it would make this loop spin while the lines drain.
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            progress?.Report(Snapshot(clock.Elapsed));
        }
        await all;
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var turns = _turns.ToList();
        return new LoadResult(options.Calls, options.Duration.TotalSeconds, Math.Round(elapsed, 2), options.TurnsPerCall, options.Speak, options.Unique,
            client.BaseAddress!.ToString(), _callsStarted, _callsCompleted, turns.Count, _errors.Values.Sum(), new SortedDictionary<string, int>(_errors),
            Math.Round(turns.Count / elapsed, 2),
            turns.Count == 0 ? 0 : Math.Round(turns.Count(t => t.Cached) / (double)turns.Count, 3),
            turns.Count == 0 ? 0 : Math.Round(turns.Count(t => t.Degraded) / (double)turns.Count, 3),
            Stages.Select((s, i) => (s, LatencySummary.Of(turns.Select(t => t.Stages[i]).ToList()))).ToDictionary(x => x.s, x => x.Item2),
            LatencySummary.Of(turns.Select(t => t.ClientMs).ToList()), LatencySummary.Of(_callSetup.ToList()))
        {
            RefusedCalls = _refused,
            FirstTokenMs = options.Stream ? LatencySummary.Of(_firstToken.ToList()) : null,
            FirstAudioMs = options.Stream ? LatencySummary.Of(_firstAudio.ToList()) : null,
            BenchCpuSeconds = Math.Round(cpuSeconds, 2),
            BenchCpuShare = Math.Round(cpuSeconds / (elapsed * Environment.ProcessorCount), 3),
        };
    }

    private LoadProgress Snapshot(TimeSpan elapsed)
    {
        var recent = _turns.Where(t => Stopwatch.GetElapsedTime(t.At) < TimeSpan.FromSeconds(5)).Select(t => t.ClientMs).ToList();
        return new LoadProgress(elapsed, _turns.Count, _errors.Values.Sum(), _callsCompleted, Math.Round(_turns.Count / Math.Max(elapsed.TotalSeconds, 0.001), 1), LatencySummary.Of(recent).P95Ms);
    }

    private async Task LineAsync(int line, CancellationToken stopStarting, CancellationToken cancellationToken)
    {
        var random = new Random(line);
        if (options.Think > TimeSpan.Zero)
        {
            // Callers do not all dial in the same millisecond: stagger the lines over one think time, or
            // every turn of every call arrives in one burst and the p95 measures the burst, not the load.
            await Delay(options.Think * random.NextDouble(), stopStarting);
        }
        while (!stopStarting.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            TimeSpan? refusedFor = null;
            var callId = await SendAsync(() => client.PostAsJsonAsync("/v1/calls", new { agentId, direction = "in" }, cancellationToken), "call", cancellationToken,
                refused => refusedFor = refused.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            if (callId is null)
            {
                if (refusedFor is { } wait)
                {
                    // A full node: the caller would be placed elsewhere; this line retries when told to.
                    Interlocked.Increment(ref _refused);
                    await Delay(wait, stopStarting);
                }
                else
                {
                    await PauseAfterErrorAsync(stopStarting);
                }
                continue;
            }
            _callSetup.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Increment(ref _callsStarted);
            var id = callId.Value.GetProperty("id").GetGuid();
            var turnsDone = 0;
            for (var turn = 0; turn < options.TurnsPerCall && !stopStarting.IsCancellationRequested; turn++)
            {
                var question = Question(random, line, turn);
                var sent = Stopwatch.GetTimestamp();
                var path = $"/v1/calls/{id}/turns?speak={(options.Speak ? "true" : "false")}";
                var answer = options.Stream
                    ? await StreamTurnAsync(path, question, sent, cancellationToken)
                    : await SendAsync(() => client.PostAsJsonAsync(path, new { transcript = question }, cancellationToken), "turn", cancellationToken);
                if (answer is not { } a)
                {
                    continue;
                }
                var timings = a.GetProperty("timings");
                _turns.Enqueue((Stopwatch.GetElapsedTime(sent).TotalMilliseconds, Stages.Select(s => timings.GetProperty(s).GetDouble()).ToArray(),
                    a.GetProperty("cached").GetBoolean(), a.GetProperty("degraded").GetArrayLength() > 0, Stopwatch.GetTimestamp()));
                turnsDone++;
                if (options.Think > TimeSpan.Zero && turn + 1 < options.TurnsPerCall)
                {
                    // People pause for different times: 0.5 to 1.5 think times.
                    await Delay(options.Think * (0.5 + random.NextDouble()), stopStarting);
                }
            }
            if (await SendAsync(() => client.PostAsync(new Uri($"/v1/calls/{id}/end", UriKind.Relative), null, cancellationToken), "end", cancellationToken) is not null && turnsDone == options.TurnsPerCall)
            {
                Interlocked.Increment(ref _callsCompleted);
            }
        }
    }

    private string Question(Random random, int line, int turn)
    {
        var q = Questions[random.Next(Questions.Length)];
        if (!options.Unique)
        {
            return q;
        }
        // Two questions run together, with a caller's detail: close enough to the knowledge base to
        // find it, far enough from every earlier question that the answer cache rarely applies.
        string[] details = ["for my anniversary", "with two children", "after the theatre", "this Friday", "for a work lunch", "with my grandmother", "before the ferry", "in the rain"];
        return $"{q} Also, {Questions[random.Next(Questions.Length)].ToLowerInvariant()} It is {details[random.Next(details.Length)]}, call {line}, turn {turn}.";
    }

    /// <summary>Sends one request; a failure is counted by kind (status code, timeout, connection) and gives null.</summary>
    private async Task<JsonElement?> SendAsync(Func<Task<HttpResponseMessage>> send, string what, CancellationToken cancellationToken,
        Action<HttpResponseMessage>? onRefused = null)
    {
        try
        {
            using var response = await send();
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            }
            if (onRefused is not null && response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                onRefused(response);
                return null;
            }
            _errors.AddOrUpdate($"{what} {(int)response.StatusCode}", 1, (_, n) => n + 1);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's timeout, not the user stopping the run (that propagates).
            _errors.AddOrUpdate($"{what} timeout", 1, (_, n) => n + 1);
        }
        catch (HttpRequestException e)
        {
            _errors.AddOrUpdate($"{what} {e.HttpRequestError}", 1, (_, n) => n + 1);
        }
        return null;
    }

    /// <summary>
    /// A streamed turn: its events read as they arrive, the first <c>answer</c> and <c>audio</c> timed from
    /// <paramref name="sent"/>; gives <c>done</c>'s data (the turn as the JSON answer tells it), or null on a failure (counted).
    /// </summary>
    private async Task<JsonElement?> StreamTurnAsync(string path, string question, long sent, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { transcript = question }) };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                _errors.AddOrUpdate($"turn {(int)response.StatusCode}", 1, (_, n) => n + 1);
                return null;
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            double? token = null, audio = null;
            await foreach (var e in SseParser.Create(body).EnumerateAsync(cancellationToken))
            {
                switch (e.EventType)
                {
                    case "answer":
                        token ??= Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                        break;
                    case "audio":
                        audio ??= Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                        break;
                    case "done":
                        // Counted with the turn only: a stream that fails later leaves no first-audio figure behind.
                        if (token is { } t)
                        {
                            _firstToken.Enqueue(t);
                        }
                        if (audio is { } a)
                        {
                            _firstAudio.Enqueue(a);
                        }
                        return JsonDocument.Parse(e.Data).RootElement.Clone();
                    case "error":
                        _errors.AddOrUpdate("turn error event", 1, (_, n) => n + 1);
                        return null;
                }
            }
            _errors.AddOrUpdate("turn stream cut short", 1, (_, n) => n + 1);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _errors.AddOrUpdate("turn timeout", 1, (_, n) => n + 1);
        }
        catch (HttpRequestException e)
        {
            _errors.AddOrUpdate($"turn {e.HttpRequestError}", 1, (_, n) => n + 1);
        }
        return null;
    }

    private static Task PauseAfterErrorAsync(CancellationToken stop) => Delay(TimeSpan.FromMilliseconds(200), stop);

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // Time is up.
        }
    }
}
