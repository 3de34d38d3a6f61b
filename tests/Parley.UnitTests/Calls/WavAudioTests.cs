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
}
