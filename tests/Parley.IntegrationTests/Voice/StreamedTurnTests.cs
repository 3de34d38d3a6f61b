using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Calls;
using Xunit;

namespace Parley.IntegrationTests.Voice;

/// <summary>
/// <c>POST /v1/calls/{id}/turns</c> with <c>Accept: text/event-stream</c> against the real server on a
/// loopback port: the events as a client reads them off the socket, parsed by .NET's own SSE parser.
/// </summary>
public sealed class StreamedTurnTests(VoicePlatformFixture api) : IClassFixture<VoicePlatformFixture>
{
    internal sealed record Event(string Name, JsonElement Data);

    internal static async Task<(HttpResponseMessage Response, List<Event> Events)> StreamAsync(HttpClient client, Guid call, object body, bool speak = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/calls/{call}/turns?speak={speak.ToString().ToLowerInvariant()}")
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<Event>();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                events.Add(new Event(item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone()));
            }
        }
        return (response, events);
    }

    [Fact]
    public async Task A_streamed_turn_sends_transcript_sources_answer_and_audio_in_order_then_done_and_is_logged_with_its_sources()
    {
        Assert.True(Parley.Calls.Providers.EspeakTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
        var tenant = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        const string question = "Is there parking near the restaurant?";

        // Asked twice: the second time the answer cache has the answer whole, and it still streams piece by piece.
        foreach (var round in new[] { "first", "cached" })
        {
            var (response, events) = await StreamAsync(tenant.Client, call, new { transcript = question });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var names = events.Select(e => e.Name).ToList();
            Assert.True(names.Count >= 5, $"{round}: {string.Join(",", names)}");
            Assert.Equal("transcript", names[0]);
            Assert.Equal(question, events[0].Data.GetProperty("transcript").GetString());
            Assert.Equal("sources", names[1]);
            Assert.Equal("Location and parking", events[1].Data.GetProperty("sources")[0].GetProperty("title").GetString());
            Assert.Equal("done", names[^1]);
            Assert.Single(names, n => n == "done");
            Assert.All(names.Skip(2).SkipLast(1), n => Assert.Contains(n, new[] { "answer", "audio" }));
            var firstAudio = names.IndexOf("audio");
            Assert.True(firstAudio > 2, $"{round}: no audio before done: {string.Join(",", names)}");
            // A sentence is spoken once its words went out.
            Assert.True(names.IndexOf("answer") < firstAudio);

            var done = events[^1].Data;
            var answer = done.GetProperty("answer").GetString()!;
            Assert.Contains("Pier Road", answer);
            Assert.Equal(answer, string.Concat(events.Where(e => e.Name == "answer").Select(e => e.Data.GetProperty("delta").GetString())));
            var audio = events.Where(e => e.Name == "audio").Select(e => e.Data).ToList();
            Assert.Equal(Enumerable.Range(0, audio.Count), audio.Select(a => a.GetProperty("index").GetInt32()));
            foreach (var sentence in audio)
            {
                var wav = Convert.FromBase64String(sentence.GetProperty("base64").GetString()!);
                Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
                Assert.Equal(16000, sentence.GetProperty("sampleRate").GetInt32());
                Assert.Contains(sentence.GetProperty("text").GetString()!, answer, StringComparison.Ordinal);
            }
            Assert.Equal(JsonValueKind.Null, done.GetProperty("audio").ValueKind);
            Assert.Empty(done.GetProperty("degraded").EnumerateArray());
            Assert.Equal(round == "cached", done.GetProperty("cached").GetBoolean());
            Assert.Equal(round == "cached", events[1].Data.GetProperty("cached").GetBoolean());
            var timings = done.GetProperty("timings");
            var firstToken = timings.GetProperty("firstTokenMs").GetDouble();
            var firstAudioMs = timings.GetProperty("firstAudioMs").GetDouble();
            Assert.InRange(firstToken, 0.001, firstAudioMs);
            Assert.InRange(firstAudioMs, firstToken, timings.GetProperty("totalMs").GetDouble());
            Assert.True(timings.GetProperty("ttsMs").GetDouble() > 0 || round == "cached", "the first round spoke with espeak-ng");
        }

        // Logged as a JSON turn is: both turns, their transcripts, answers and sources.
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        var turns = logged.GetProperty("turns");
        Assert.Equal(2, turns.GetArrayLength());
        foreach (var turn in turns.EnumerateArray())
        {
            Assert.Equal(question, turn.GetProperty("transcript").GetString());
            Assert.Contains("Pier Road", turn.GetProperty("answer").GetString());
            Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
            Assert.True(turn.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);
        }
        Assert.True(turns[0].GetProperty("timings").GetProperty("searchMs").GetDouble() > 0);
    }

    [Fact]
    public async Task A_streamed_turn_without_speech_sends_no_audio_and_no_first_audio_time()
    {
        var tenant = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        var (response, events) = await StreamAsync(tenant.Client, call, new { transcript = "How much is the corkage fee?" }, speak: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(events, e => e.Name == "audio");
        var timings = events[^1].Data.GetProperty("timings");
        Assert.Equal("done", events[^1].Name);
        Assert.Contains("$25", events[^1].Data.GetProperty("answer").GetString());
        Assert.True(timings.GetProperty("firstTokenMs").GetDouble() > 0);
        Assert.False(timings.TryGetProperty("firstAudioMs", out _));
    }

    [Fact]
    public async Task A_bad_streamed_turn_gets_a_problem_detail_before_any_event()
    {
        var tenant = await api.NewTenantAsync();
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);

        async Task ProblemAsync(Guid id, object body, HttpStatusCode status)
        {
            var (response, events) = await StreamAsync(tenant.Client, id, body);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Empty(events);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        }

        await ProblemAsync(call, new { transcript = "" }, HttpStatusCode.BadRequest);
        await ProblemAsync(call, new { transcript = new string('a', 4001) }, HttpStatusCode.BadRequest);
        await ProblemAsync(Guid.NewGuid(), new { transcript = "Hello?" }, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsync($"/v1/calls/{call}/end", null)).StatusCode);
        await ProblemAsync(call, new { transcript = "Hello?" }, HttpStatusCode.Conflict);
        // None of the refused turns reached the call log.
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var logged = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        Assert.Equal(0, logged.GetProperty("turns").GetArrayLength());
    }
}
