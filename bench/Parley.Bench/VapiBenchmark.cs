using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>The figures of a Vapi knowledge-base run (latencies in milliseconds, at the client).</summary>
public sealed record VapiResult(
    int Requests, int Concurrency, bool Unique, string Url, int Answered, int Errors, IReadOnlyDictionary<string, int> ErrorsByKind,
    double RequestsPerSecond, double DocumentsPerAnswer, LatencySummary LatencyMs);

/// <summary>
/// Vapi's custom knowledge base as Vapi calls it: <c>knowledge-base-request</c> bodies (the conversation
/// so far, the caller's question last) signed with the integration's secret
/// (<c>X-Vapi-Signature: sha256=…</c>), <c>Concurrency</c> in flight at once, each request's wait timed
/// at the client. With <c>Unique</c> every question differs (a caller's detail added), so each one is
/// embedded by the model rather than found in the embedding cache.
/// </summary>
public sealed class VapiBenchmark(HttpClient client, Guid integrationId, string secret)
{
    private static readonly string[] Questions =
    [
        "What time do you open on Sunday?", "Is there parking near the restaurant?", "Can I bring my dog?", "Do you have a kids menu?",
        "How much is the corkage fee?", "Do you take American Express?", "Is brunch served on Saturday?", "Can I book a table for eight people?",
        "What is your cancellation policy?", "Do you have gluten free dishes?", "Are you open on Christmas Day?", "Is the restaurant wheelchair accessible?",
        "Do you sell gift cards?", "Is there live music this week?", "Can I order takeaway?", "What is the dress code?",
    ];

    private static readonly string[] Details = ["for my anniversary", "with two children", "after the theatre", "this Friday", "for a work lunch", "in the rain"];

    private readonly ConcurrentQueue<double> _latencies = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _documents;

    public async Task<VapiResult> RunAsync(int requests, int concurrency, bool unique, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) => await OneAsync(i, unique, ct));
        var elapsed = clock.Elapsed.TotalSeconds;
        var answered = _latencies.Count;
        return new VapiResult(requests, concurrency, unique, client.BaseAddress!.ToString(), answered, _errors.Values.Sum(),
            new SortedDictionary<string, int>(_errors), Math.Round(answered / Math.Max(elapsed, 1e-9), 1),
            answered == 0 ? 0 : Math.Round(_documents / (double)answered, 2), LatencySummary.Of(_latencies.ToList()));
    }

    internal static string Body(string question) => JsonSerializer.Serialize(new
    {
        message = new
        {
            type = "knowledge-base-request",
            messages = new object[]
            {
                new { role = "assistant", content = "Harbor Lights Bistro, how can I help?" },
                new { role = "user", content = question },
            },
        },
    });

    private async Task OneAsync(int i, bool unique, CancellationToken ct)
    {
        var question = Questions[i % Questions.Length];
        if (unique)
        {
            question = $"{question} It is {Details[i / Questions.Length % Details.Length]}, caller {i}.";
        }
        var body = Encoding.UTF8.GetBytes(Body(question));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/integrations/vapi/{integrationId}/knowledge-base")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Add("X-Vapi-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                _errors.AddOrUpdate($"{(int)response.StatusCode}", 1, (_, n) => n + 1);
                return;
            }
            using var doc = JsonDocument.Parse(text);
            Interlocked.Add(ref _documents, doc.RootElement.GetProperty("documents").GetArrayLength());
            _latencies.Enqueue(ms);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            _errors.AddOrUpdate("timeout", 1, (_, n) => n + 1);
        }
        catch (HttpRequestException e)
        {
            _errors.AddOrUpdate(e.HttpRequestError.ToString(), 1, (_, n) => n + 1);
        }
    }
}
