using NAudio.Wave;
using Parley.Calls.Audio;
using Parley.Domain;
using Xunit;

namespace Parley.UnitTests.Calls;

public sealed class WavAudioTests
{
    private static short[] Tone(int rate, double seconds, double hz) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (short)(10000 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    private static int ZeroCrossings(short[] s) => Enumerable.Range(1, s.Length - 1).Count(i => (s[i - 1] < 0) != (s[i] < 0));

    [Theory]
    [InlineData(22050, 16000)]
    [InlineData(22050, 8000)]
    [InlineData(8000, 16000)]
    [InlineData(24000, 16000)]
    public void Resampling_keeps_the_length_and_the_pitch(int from, int to)
    {
        var wav = WavAudio.ToWav(Tone(from, 2, 440), from);
        var converted = WavAudio.Resample(wav, to);
        Assert.Equal(to, WavAudio.SampleRateOf(converted));
        var samples = WavAudio.ToPcm16(converted, to);
        Assert.InRange(samples.Length, to * 2 * 0.98, to * 2 * 1.02);
        // A 440 Hz tone crosses zero 880 times a second, whatever the rate.
        Assert.InRange(ZeroCrossings(samples), 880 * 2 * 0.97, 880 * 2 * 1.03);
    }

    [Fact]
    public void A_stereo_float_wav_becomes_16_bit_mono()
    {
        using var stream = new MemoryStream();
        using (var writer = new WaveFileWriter(stream, WaveFormat.CreateIeeeFloatWaveFormat(16000, 2)))
        {
            foreach (var s in Tone(16000, 1, 300))
            {
                writer.WriteSample(s / 32768f);
                writer.WriteSample(s / 32768f);
            }
        }
        var samples = WavAudio.ToPcm16(stream.ToArray(), 16000);
        Assert.Equal(16000, samples.Length);
        Assert.InRange(samples.Max(), 9000, 10001);
    }

    [Fact]
    public void A_wav_streamed_with_placeholder_sizes_is_read_whole()
    {
        var wav = WavAudio.ToWav(Tone(22050, 1, 440), 22050);
        // What espeak-ng --stdout and streaming speech APIs write: sizes they could not know.
        BitConverter.TryWriteBytes(wav.AsSpan(4, 4), uint.MaxValue);
        BitConverter.TryWriteBytes(wav.AsSpan(40, 4), uint.MaxValue);
        Assert.Equal(22050, WavAudio.ToPcm16(wav, 22050).Length);
    }

    [Fact]
    public void Bytes_that_are_not_a_wav_are_bad_input()
    {
        var e = Assert.Throws<InvalidRequestException>(() => WavAudio.ToPcm16("not audio at all, just text"u8, 16000));
        Assert.True(e.Errors.ContainsKey("audio"));
        Assert.Equal(0, WavAudio.SampleRateOf("RIFF"u8));
    }

    /// <summary>A 16-bit PCM header with any rate, channel count and sizes, followed by <paramref name="dataBytes"/> of silence.</summary>
    private static byte[] Header(int rate, int channels, int dataBytes, uint? riff = null, uint? data = null, short format = 1)
    {
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write(riff ?? (uint)(36 + dataBytes));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write(format);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * 2);
        w.Write((short)(channels * 2));
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(data ?? (uint)dataBytes);
        w.Write(new byte[dataBytes]);
        w.Flush();
        return wav.ToArray();
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 2)]
    [InlineData(48000, 1)]
    public void A_wav_of_a_telephone_to_studio_rate_passes_validation(int rate, int channels)
    {
        WavAudio.Validate(Header(rate, channels, rate * channels * 2), maxSeconds: 60);
        WavAudio.Validate(WavAudio.ToWav(Tone(rate, 1, 440), rate), maxSeconds: 60);
    }

    [Theory]
    [InlineData(1, 1, "sample rate is 1 Hz")]
    [InlineData(7999, 1, "sample rate is 7999 Hz")]
    [InlineData(96000, 1, "sample rate is 96000 Hz")]
    [InlineData(16000, 3, "3 channels")]
    [InlineData(16000, 0, "0 channels")]
    public void A_rate_or_channel_count_out_of_range_is_refused_before_decoding(int rate, int channels, string reason)
    {
        var e = Assert.Throws<InvalidRequestException>(() => WavAudio.Validate(Header(rate, channels, 3200), maxSeconds: 60));
        Assert.Contains(reason, e.Errors["audio"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_that_claim_more_than_the_file_holds_are_refused()
    {
        var riff = Assert.Throws<InvalidRequestException>(() => WavAudio.Validate(Header(16000, 1, 3200, riff: uint.MaxValue), 60));
        Assert.Contains("declares 4294967303 bytes; the file has 3244", riff.Errors["audio"][0], StringComparison.Ordinal);
        var data = Assert.Throws<InvalidRequestException>(() => WavAudio.Validate(Header(16000, 1, 3200, data: uint.MaxValue - 36), 60));
        Assert.Contains("'data' chunk declares 4294967259 bytes; only 3200 follow", data.Errors["audio"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Audio_longer_than_the_limit_and_formats_that_are_not_pcm_are_refused()
    {
        var longer = Assert.Throws<InvalidRequestException>(() => WavAudio.Validate(Header(8000, 1, 8000 * 2 * 61), maxSeconds: 60));
        Assert.Contains("61.0 s long; the limit is 60 s", longer.Errors["audio"][0], StringComparison.Ordinal);
        var mp3 = Assert.Throws<InvalidRequestException>(() => WavAudio.Validate(Header(16000, 1, 3200, format: 0x55), 60));
        Assert.Contains("audio format is 85", mp3.Errors["audio"][0], StringComparison.Ordinal);
        Assert.Throws<InvalidRequestException>(() => WavAudio.Validate("RIFF"u8, 60));
    }

    [Fact]
    public void Joined_speech_is_the_parts_samples_back_to_back_copied_exactly_and_a_part_of_another_rate_is_resampled()
    {
        var a = Tone(16000, 0.5, 440);
        var b = Tone(16000, 0.25, 880);
        var joined = WavAudio.Join([WavAudio.ToWav(a, 16000), WavAudio.ToWav(b, 16000)])!;
        Assert.Equal(16000, WavAudio.SampleRateOf(joined));
        Assert.Equal(a.Concat(b).ToArray(), SentenceSpeechTests.Pcm(joined));
        Assert.Equal(TimeSpan.FromSeconds(0.75), WavAudio.DurationOf(joined));

        // A part at 22 050 Hz joins a 16 kHz answer at 16 kHz, its length kept.
        var c = Tone(22050, 1, 440);
        var mixed = SentenceSpeechTests.Pcm(WavAudio.Join([WavAudio.ToWav(a, 16000), WavAudio.ToWav(c, 22050)])!);
        Assert.Equal(a, mixed[..a.Length]);
        Assert.InRange(mixed.Length - a.Length, 16000 * 0.98, 16000 * 1.02);

        Assert.Null(WavAudio.Join([]));
        var only = WavAudio.ToWav(a, 16000);
        Assert.Same(only, WavAudio.Join([only]));
    }
}
