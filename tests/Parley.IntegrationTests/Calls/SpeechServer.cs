using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Parley.Calls.Audio;
using Parley.Testing;

namespace Parley.IntegrationTests.Calls;

/// <summary>
/// A real HTTP server on loopback that plays an OpenAI-compatible speech provider:
/// <c>/v1/audio/transcriptions</c> answers <see cref="Transcript"/>, <c>/v1/audio/speech</c> answers a
/// 24 kHz tone as long as the text; each can be told to fail (500) or to hang past any budget.
/// </summary>
public sealed class SpeechServer : IAsyncDisposable
{
    public enum Mode { Ok, Fail, Slow }

    private LoopbackServer _server = null!;

    public Mode Asr { get; set; }
    public Mode Tts { get; set; }
    public string Transcript { get; set; } = "";
    public int TranscriptionRequests { get; private set; }
    public int SpeechRequests { get; private set; }

    /// <summary>What the last transcription request carried: model, sample rate of the uploaded WAV, response format.</summary>
    public (string? Model, int SampleRate, string? Format) LastUpload { get; private set; }

    /// <summary>What the last speech request asked for: model, voice, format, text.</summary>
    public JsonElement LastSpeech { get; private set; }

    /// <summary>Every text asked to be spoken, in the order the requests came.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> SpokenTexts { get; } = new();

    public Uri BaseUrl => new(_server.BaseUrl, "v1");

    public static async Task<SpeechServer> StartAsync()
    {
        var s = new SpeechServer();
        s._server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/audio/transcriptions", async (HttpContext ctx) =>
            {
                s.TranscriptionRequests++;
                var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
                using var file = new MemoryStream();
                await form.Files["file"]!.CopyToAsync(file, ctx.RequestAborted);
                s.LastUpload = (form["model"], WavAudio.SampleRateOf(file.ToArray()), form["response_format"]);
                return await RespondAsync(s.Asr, () => Results.Json(new { text = s.Transcript }), ctx);
            }).DisableAntiforgery();
            app.MapPost("/v1/audio/speech", async (HttpContext ctx) =>
            {
                s.SpeechRequests++;
                s.LastSpeech = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                var text = s.LastSpeech.GetProperty("input").GetString()!;
                s.SpokenTexts.Enqueue(text);
                return await RespondAsync(s.Tts, () => Results.Bytes(Tone(24000, 0.05 * text.Length), "audio/wav"), ctx);
            });
        });
        return s;
    }

    private static async Task<IResult> RespondAsync(Mode mode, Func<IResult> ok, HttpContext ctx)
    {
        switch (mode)
        {
            case Mode.Fail:
                return Results.Json(new { error = new { message = "model overloaded", type = "server_error" } }, statusCode: 500);
            case Mode.Slow:
                // Never answers: only the caller's budget ends the wait.
                await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
                return ok();
            default:
                return ok();
        }
    }

    /// <summary>A 440 Hz tone of the given length as a 16-bit mono WAV.</summary>
    public static byte[] Tone(int sampleRate, double seconds)
    {
        var samples = new short[(int)(sampleRate * seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / sampleRate));
        }
        return WavAudio.ToWav(samples, sampleRate);
    }

    /// <summary>What Debian's espeak-ng says for <paramref name="text"/>: a WAV at its own 22 050 Hz.</summary>
    public static async Task<byte[]> SpeakAsync(string text)
    {
        var psi = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "en-us", "-s", "150", "--stdout", text })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        using var wav = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(wav);
        await process.WaitForExitAsync();
        return WavAudio.FixStreamedSizes(wav.ToArray());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
