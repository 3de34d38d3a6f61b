using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.Audio;
using Parley.Calls.CallLog;
using Parley.Calls.Pipeline;
using Xunit;

namespace Parley.IntegrationTests.Calls;

/// <summary>Audio turns through OpenAI-compatible speech recognition and synthesis served on loopback.</summary>
public sealed class AudioTurnTests(SpeechFixture f) : IClassFixture<SpeechFixture>
{
    internal static async Task<HttpResponseMessage> PostAudioAsync(HttpClient client, Guid call, byte[] wav, bool speak = true)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(wav), "audio", "turn.wav" } };
        return await client.PostAsync($"/v1/calls/{call}/turns?speak={speak.ToString().ToLowerInvariant()}", form);
    }

    private async Task<JsonElement> AudioTurnAsync(Guid call, byte[] wav, bool speak = true)
    {
        var response = await PostAudioAsync(f.Client, call, wav, speak);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> LoggedTurnsAsync(Guid call)
    {
        await f.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        return (await f.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}")).GetProperty("turns");
    }

    private static string[] Degraded(JsonElement turn) => turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()!).ToArray();

    [Fact]
    public async Task An_espeak_recording_is_transcribed_answered_from_the_knowledge_base_and_spoken_back_at_16_kHz()
    {
        f.Speech.Asr = f.Speech.Tts = SpeechServer.Mode.Ok;
        f.Speech.Transcript = "Is there parking near the restaurant?";
        var wav = await SpeechServer.SpeakAsync("Is there parking near the restaurant?");
        Assert.Equal(22050, WavAudio.SampleRateOf(wav));
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);

        var turn = await AudioTurnAsync(call, wav);

        Assert.Equal("Is there parking near the restaurant?", turn.GetProperty("transcript").GetString());
        // The recogniser got the caller's audio as 16 kHz mono WAV, with the configured model.
        Assert.Equal(("whisper-test", 16000, "json"), f.Speech.LastUpload);
        Assert.Equal("Location and parking", turn.GetProperty("sources")[0].GetProperty("title").GetString());
        Assert.Contains("park", turn.GetProperty("answer").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Degraded(turn));
        Assert.True(turn.GetProperty("timings").GetProperty("asrMs").GetDouble() > 0);
        Assert.True(turn.GetProperty("timings").GetProperty("totalMs").GetDouble() >= turn.GetProperty("timings").GetProperty("asrMs").GetDouble());
        // The answer was spoken by the speech server (24 kHz) and resampled to the configured 16 kHz.
        Assert.Equal("nova", f.Speech.LastSpeech.GetProperty("voice").GetString());
        Assert.Equal("wav", f.Speech.LastSpeech.GetProperty("response_format").GetString());
        // Spoken sentence by sentence (the speech cache keeps sentences): the server was asked for each of the answer's.
        var answer = turn.GetProperty("answer").GetString()!;
        Assert.Equal(StreamedAnswer.Sentences(answer).Order(StringComparer.Ordinal),
            f.Speech.SpokenTexts.Where(answer.Contains).Order(StringComparer.Ordinal));
        var audio = Convert.FromBase64String(turn.GetProperty("audio").GetProperty("base64").GetString()!);
        Assert.Equal(16000, WavAudio.SampleRateOf(audio));
        Assert.Equal(16000, turn.GetProperty("audio").GetProperty("sampleRate").GetInt32());
        var seconds = WavAudio.ToPcm16(audio, 16000).Length / 16000.0;
        Assert.InRange(seconds, 0.05 * turn.GetProperty("answer").GetString()!.Length * 0.95, 0.05 * turn.GetProperty("answer").GetString()!.Length * 1.05);

        var logged = Assert.Single((await LoggedTurnsAsync(call)).EnumerateArray());
        Assert.Equal("Is there parking near the restaurant?", logged.GetProperty("transcript").GetString());
        Assert.True(logged.GetProperty("timings").GetProperty("asrMs").GetDouble() > 0);
    }

    [Fact]
    public async Task A_failing_recogniser_degrades_the_turn_to_asking_the_caller_again_and_the_turn_is_logged()
    {
        f.Speech.Asr = SpeechServer.Mode.Fail;
        f.Speech.Tts = SpeechServer.Mode.Ok;
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);

        var turn = await AudioTurnAsync(call, SpeechServer.Tone(8000, 1));

        Assert.Equal(["asr"], Degraded(turn));
        Assert.Equal(CallOrchestrator.NotHeard, turn.GetProperty("answer").GetString());
        Assert.Equal(JsonValueKind.Null, turn.GetProperty("transcript").ValueKind);
        Assert.Empty(turn.GetProperty("sources").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, turn.GetProperty("audio").ValueKind);
        var logged = Assert.Single((await LoggedTurnsAsync(call)).EnumerateArray());
        Assert.Equal(CallOrchestrator.NotHeard, logged.GetProperty("answer").GetString());
        Assert.Contains("asr", logged.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task A_recogniser_slower_than_its_budget_is_cut_off_within_the_budget()
    {
        f.Speech.Asr = SpeechServer.Mode.Slow;
        f.Speech.Tts = SpeechServer.Mode.Ok;
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);
        var requests = f.Speech.TranscriptionRequests;

        var turn = await AudioTurnAsync(call, SpeechServer.Tone(16000, 1), speak: false);

        Assert.Equal(requests + 1, f.Speech.TranscriptionRequests);
        Assert.Equal(["asr"], Degraded(turn));
        // The recogniser never answers and the turn's own budget is 30 s: under 15 s, only the stage's budget
        // can have cut it, and nothing cuts it before the budget (no tighter bound: a busy machine would break it).
        Assert.InRange(turn.GetProperty("timings").GetProperty("asrMs").GetDouble(), SpeechFixture.AsrBudgetMs - 50, 15_000);
        Assert.Equal(CallOrchestrator.NotHeard, turn.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task An_audio_turn_is_metered_as_seconds_heard_characters_spoken_and_the_questions_embedding_tokens()
    {
        // A question of its own: an answer another test speaks would come from the speech cache there.
        f.Speech.Asr = f.Speech.Tts = SpeechServer.Mode.Ok;
        f.Speech.Transcript = "What time do you open on Sundays?";
        var wav = await SpeechServer.SpeakAsync("What time do you open on Sundays?");
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);
        var turn = await AudioTurnAsync(call, wav);
        Assert.Equal(JsonValueKind.Object, turn.GetProperty("audio").ValueKind);
        await f.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);

        var usage = (await f.Client.GetFromJsonAsync<JsonElement>("/v1/usage")).GetProperty("items").EnumerateArray()
            .Where(u => u.GetProperty("callId").ValueKind == JsonValueKind.String && u.GetProperty("callId").GetGuid() == call)
            .ToDictionary(u => u.GetProperty("kind").GetString()!, u => u.GetProperty("quantity").GetDecimal());
        var heard = (decimal)(WavAudio.ToPcm16(wav, 16000).Length / 16000.0);
        Assert.Equal(heard, usage["asr_seconds"], 2);
        Assert.Equal(turn.GetProperty("answer").GetString()!.Length, usage["tts_characters"]);
        Assert.True(usage["embedding_tokens"] > 0);
    }

    [Fact]
    public async Task Speech_that_fails_or_outlasts_its_budget_leaves_the_answer_without_audio()
    {
        f.Speech.Transcript = "How much is the corkage fee?";
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);
        foreach (var mode in new[] { SpeechServer.Mode.Fail, SpeechServer.Mode.Slow })
        {
            f.Speech.Asr = SpeechServer.Mode.Ok;
            f.Speech.Tts = mode;
            var turn = await AudioTurnAsync(call, SpeechServer.Tone(16000, 1));
            Assert.Equal(["tts"], Degraded(turn));
            Assert.Equal(JsonValueKind.Null, turn.GetProperty("audio").ValueKind);
            Assert.Contains("$25", turn.GetProperty("answer").GetString(), StringComparison.Ordinal);
            if (mode == SpeechServer.Mode.Slow)
            {
                // As for the recogniser: a synthesiser that never answers, cut by its own budget only.
                Assert.InRange(turn.GetProperty("timings").GetProperty("ttsMs").GetDouble(), SpeechFixture.TtsBudgetMs - 50, 15_000);
            }
        }
    }

    [Fact]
    public async Task An_upload_that_is_not_a_wav_is_refused_with_400_and_nothing_is_logged()
    {
        f.Speech.Asr = f.Speech.Tts = SpeechServer.Mode.Ok;
        var call = await CallTests.StartCallAsync(f.Client, f.Agent);
        var requests = f.Speech.TranscriptionRequests;

        var response = await PostAudioAsync(f.Client, call, "this is not audio at all"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("audio", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(requests, f.Speech.TranscriptionRequests);
        Assert.Empty((await LoggedTurnsAsync(call)).EnumerateArray());
    }
}
