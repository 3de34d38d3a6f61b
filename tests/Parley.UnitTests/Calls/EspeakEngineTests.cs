using Microsoft.Extensions.Options;
using Parley.Calls.Audio;
using Parley.Calls.Providers;
using Xunit;

namespace Parley.UnitTests.Calls;

/// <summary>
/// libespeak-ng in process (<see cref="EspeakEngine"/>): real synthesis, in the test process. Native code
/// here would take the whole test host down, so besides what it says, these tests hammer it: many
/// syntheses in a row and at once, voices switched, requests cancelled while queued and while spoken.
/// </summary>
public sealed class EspeakEngineTests
{
    private const string Sentence = "Is there parking near the restaurant? Yes, there are forty spaces behind the building.";

    private static readonly IOptions<TtsOptions> Wideband = Options.Create(new TtsOptions { SampleRate = 16000 });

    public EspeakEngineTests()
    {
        // The bootstrap installs espeak-ng and its library (scripts/bootstrap.sh): missing, these tests fail.
        Assert.True(EspeakLibraryTextToSpeech.Available, "libespeak-ng1 is not installed: run scripts/bootstrap.sh");
    }

    private static double Rms(short[] samples) => Math.Sqrt(samples.Average(s => (double)s * s));

    /// <summary>
    /// The same speech, as near as the library allows: audible, and as long within 150 ms plus 3 %. Not the
    /// same bytes: libespeak-ng carries state from one synthesis to the next (the waveform's phase, and for
    /// stretches of a dozen syntheses up to 2 % more or less length), where a fresh espeak-ng program is exact.
    /// </summary>
    private static void AssertSoundsLike(byte[] expected, byte[] actual, int rate, string what)
    {
        var (a, b) = (WavAudio.ToPcm16(expected, rate), WavAudio.ToPcm16(actual, rate));
        Assert.True(Math.Abs(a.Length - b.Length) <= (0.15 * rate) + (a.Length * 0.03), $"{what}: {b.Length} samples, expected about {a.Length}");
        Assert.True(Rms(b) > 500, $"{what}: RMS {Rms(b):F0}, nearly silent");
    }

    [Fact]
    public async Task A_sentence_is_spoken_as_audible_16_kHz_wav_as_long_as_the_programs()
    {
        var wav = await new EspeakLibraryTextToSpeech(Wideband).SpeakAsync(Sentence, "en-us", CancellationToken.None);

        Assert.Equal(16000, WavAudio.SampleRateOf(wav));
        var samples = WavAudio.ToPcm16(wav, 16000);
        // About five seconds of speech at 175 words a minute; far from silence.
        Assert.InRange(samples.Length / 16000.0, 3.0, 8.0);
        Assert.True(Rms(samples) > 500, $"RMS {Rms(samples):F0}: the audio is nearly silent");
        // The same voice as the espeak-ng program the process mode runs: the same length, near enough.
        Assert.True(EspeakTextToSpeech.Available, "espeak-ng is not installed: run scripts/bootstrap.sh");
        var program = WavAudio.ToPcm16(await new EspeakTextToSpeech(Wideband).SpeakAsync(Sentence, "en-us", CancellationToken.None), 16000);
        Assert.InRange(samples.Length, program.Length * 0.97, program.Length * 1.03);
    }

    [Fact]
    public async Task Sixteen_requests_at_once_each_get_their_own_audio_the_same_as_alone()
    {
        var tts = new EspeakLibraryTextToSpeech(Wideband);
        // 1 to 16 sentences in two voices: each request's audio is about a second longer than the one before, so
        // a mix-up between requests shows as a wrong length.
        var requests = Enumerable.Range(1, 16)
            .Select(i => (Text: string.Join(' ', Enumerable.Repeat("Your table is ready.", i)), Voice: i % 2 == 0 ? "en-us" : "en-gb"))
            .ToList();
        var alone = new List<byte[]>();
        foreach (var (text, voice) in requests)
        {
            alone.Add(await tts.SpeakAsync(text, voice, CancellationToken.None));
        }

        var together = await Task.WhenAll(requests.Select(r => Task.Run(() => tts.SpeakAsync(r.Text, r.Voice, CancellationToken.None))));

        for (var i = 0; i < requests.Count; i++)
        {
            // What a request gets in a crowd is what it gets alone.
            AssertSoundsLike(alone[i], together[i], 16000, $"request {i + 1}");
            Assert.True(i == 0 || together[i].Length > together[i - 1].Length + (16000 * 0.5), $"request {i + 1} is not longer than request {i}");
        }
        // Sixteen sentences last sixteen times one, near enough.
        Assert.InRange(together[15].Length / (double)together[0].Length, 10, 20);
    }

    [Fact]
    public async Task A_cancelled_synthesis_stops_in_the_library_and_the_engine_speaks_on()
    {
        var engine = EspeakEngine.Shared;
        var tts = new EspeakLibraryTextToSpeech(Wideband);
        await tts.WarmUpAsync(CancellationToken.None);
        // Minutes of speech: it can only end early because the callback stopped it.
        var stoppedBefore = engine.Stopped;
        var longText = string.Join(' ', Enumerable.Repeat("We are open from noon until eleven every day of the week, holidays included.", 400));
        using var cts = new CancellationTokenSource();
        var speaking = tts.SpeakAsync(longText, "en-us", cts.Token);
        await WaitUntilAsync(() => engine.Speaking, "the long text never started");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => speaking);
        await WaitUntilAsync(() => engine.Stopped > stoppedBefore, "the library never stopped the cancelled synthesis");
        // A token already cancelled never reaches the library.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tts.SpeakAsync(Sentence, "en-us", new CancellationToken(canceled: true)));
        var after = WavAudio.ToPcm16(await tts.SpeakAsync(Sentence, "en-us", CancellationToken.None), 16000);
        Assert.InRange(after.Length / 16000.0, 3.0, 8.0);
    }

    [Fact]
    public async Task An_unknown_voice_is_refused_and_the_next_request_speaks()
    {
        var tts = new EspeakLibraryTextToSpeech(Wideband);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => tts.SpeakAsync(Sentence, "zzz-not-a-voice", CancellationToken.None));
        Assert.Contains("zzz-not-a-voice", error.Message, StringComparison.Ordinal);

        // Names the library would open as a path never reach it.
        var spoken = EspeakEngine.Shared.Spoken;
        foreach (var path in new[] { "../../../../etc/passwd", "/etc/passwd", "en-us\0x", "en us" })
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => tts.SpeakAsync(Sentence, path, CancellationToken.None));
        }
        Assert.Equal(spoken, EspeakEngine.Shared.Spoken);

        var wav = await tts.SpeakAsync(Sentence, "en-us", CancellationToken.None);
        Assert.InRange(WavAudio.ToPcm16(wav, 16000).Length / 16000.0, 3.0, 8.0);
        // Variants and voice files by path, as the program takes them.
        Assert.InRange(WavAudio.ToPcm16(await tts.SpeakAsync(Sentence, "en-us+f3", CancellationToken.None), 16000).Length / 16000.0, 3.0, 8.0);
        Assert.InRange(WavAudio.ToPcm16(await tts.SpeakAsync(Sentence, "gmw/en-US", CancellationToken.None), 16000).Length / 16000.0, 3.0, 8.0);
    }

    [Fact]
    public async Task Hundreds_of_syntheses_in_a_row_and_at_once_with_cancellations_do_not_crash_the_process()
    {
        var tts = new EspeakLibraryTextToSpeech(Options.Create(new TtsOptions { SampleRate = 8000 }));
        string[] voices = ["en-us", "en-gb", "en-us", ""];
        // Six lengths, over a second apart, so a request given another's audio would show; odd characters too.
        string Text(int i) => string.Join(' ', Enumerable.Repeat($"Order {i} is on its way.", 1 + (i % 6))) + (i % 5 == 0 ? " ½ € ünïcode, \"quotes\" <tags> & [[brackets]]." : "");
        var reference = new Dictionary<int, byte[]>();
        for (var i = 0; i < 200; i++)
        {
            reference[i] = await tts.SpeakAsync(Text(i), voices[i % voices.Length], CancellationToken.None);
            Assert.True(WavAudio.ToPcm16(reference[i], 8000).Length > 8000, $"synthesis {i} is shorter than a second");
        }
        var random = new Random(14);
        for (var round = 0; round < 6; round++)
        {
            var cancelled = Enumerable.Range(0, 32).Select(_ => random.Next(4) == 0).ToArray();
            using var cts = new CancellationTokenSource();
            var batch = Enumerable.Range(0, 32).Select(j => (Index: (round * 32) + j, Cancel: cancelled[j])).ToList();
            var tasks = batch.Select(b => Task.Run(() => tts.SpeakAsync(Text(b.Index), voices[b.Index % voices.Length], b.Cancel ? cts.Token : CancellationToken.None))).ToList();
            await cts.CancelAsync();
            for (var j = 0; j < tasks.Count; j++)
            {
                if (batch[j].Cancel)
                {
                    // Cancelled before or while spoken, or (rarely) finished first: never wrong audio.
                    try
                    {
                        AssertSoundsLike(reference[batch[j].Index], await tasks[j], 8000, $"synthesis {batch[j].Index}");
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                else
                {
                    AssertSoundsLike(reference[batch[j].Index], await tasks[j], 8000, $"synthesis {batch[j].Index}");
                }
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, failure);
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
