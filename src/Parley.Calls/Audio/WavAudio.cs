using NAudio.Wave;
using NAudio.Wave.SampleProviders;
using Parley.Domain;

namespace Parley.Calls.Audio;

/// <summary>
/// WAV in and out of the voice loop: whatever a caller or a provider sends (8/16/24/32-bit PCM or
/// float, mono or stereo, any rate) becomes 16-bit mono PCM at the rate the next stage wants.
/// Resampling is NAudio's managed port of WDL's sinc resampler, in process: sox would cost one more
/// process per turn against a 100 ms speech budget, and espeak-ng has no option for its output rate
/// (always 22 050 Hz).
/// </summary>
public static class WavAudio
{
    /// <summary>Larger uploads are refused: a minute of 16 kHz speech is about 2 MB.</summary>
    public const int MaxBytes = 10 * 1024 * 1024;

    /// <summary>The audio's samples as 16-bit mono PCM at <paramref name="sampleRate"/>; 400 on anything that is not a WAV.</summary>
    public static short[] ToPcm16(ReadOnlySpan<byte> wav, int sampleRate)
    {
        if (wav.Length > MaxBytes)
        {
            throw new InvalidRequestException("audio", $"The audio is larger than {MaxBytes / (1024 * 1024)} MB.");
        }
        var bytes = FixStreamedSizes(wav.ToArray());
        try
        {
            using var reader = new WaveFileReader(new MemoryStream(bytes, writable: false));
            ISampleProvider samples = reader.ToSampleProvider();
            if (samples.WaveFormat.Channels == 2)
            {
                samples = new StereoToMonoSampleProvider(samples);
            }
            else if (samples.WaveFormat.Channels != 1)
            {
                throw new InvalidRequestException("audio", "The WAV must be mono or stereo.");
            }
            if (samples.WaveFormat.SampleRate != sampleRate)
            {
                samples = new WdlResamplingSampleProvider(samples, sampleRate);
            }
            var pcm = new SampleToWaveProvider16(samples);
            using var output = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = pcm.Read(buffer.AsSpan())) > 0)
            {
                output.Write(buffer, 0, read);
            }
            var raw = output.GetBuffer().AsSpan(0, (int)output.Length);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(raw).ToArray();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or EndOfStreamException or InvalidOperationException)
        {
            throw new InvalidRequestException("audio", $"The audio is not a readable WAV file: {e.Message}");
        }
    }

    /// <summary>A WAV file (RIFF, 16-bit mono PCM) of the given samples.</summary>
    public static byte[] ToWav(ReadOnlySpan<short> samples, int sampleRate)
    {
        var output = new MemoryStream(44 + (samples.Length * 2));
        using (var writer = new WaveFileWriter(output, new WaveFormat(sampleRate, 16, 1)))
        {
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples));
        }
        // The writer closed the stream to finish the header; a closed MemoryStream still hands out its bytes.
        return output.ToArray();
    }

    /// <summary>Any WAV re-encoded as 16-bit mono PCM at <paramref name="sampleRate"/> (always decoded and encoded again, even when it already is).</summary>
    public static byte[] Resample(ReadOnlySpan<byte> wav, int sampleRate) => ToWav(ToPcm16(wav, sampleRate), sampleRate);

    /// <summary>The sample rate a WAV header declares (0 when it is not a WAV).</summary>
    public static int SampleRateOf(ReadOnlySpan<byte> wav) =>
        wav.Length >= 28 && wav[..4].SequenceEqual("RIFF"u8) ? BitConverter.ToInt32(wav.Slice(24, 4)) : 0;

    /// <summary>
    /// Writers that stream a WAV to a pipe (espeak-ng --stdout, many speech APIs) cannot seek back to
    /// fill in the sizes, and leave 0 or 0xFFFFFFFF there; set the RIFF size and the data chunk's size
    /// from what actually arrived.
    /// </summary>
    public static byte[] FixStreamedSizes(byte[] wav)
    {
        if (wav.Length < 12 || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            return wav;
        }
        BitConverter.TryWriteBytes(wav.AsSpan(4, 4), wav.Length - 8);
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var size = BitConverter.ToUInt32(wav, at + 4);
            if (wav.AsSpan(at, 4).SequenceEqual("data"u8))
            {
                var available = wav.Length - at - 8;
                if (size > available)
                {
                    BitConverter.TryWriteBytes(wav.AsSpan(at + 4, 4), available - (available % 2));
                }
                break;
            }
            at += 8 + (int)Math.Min(size + (size % 2), int.MaxValue - at - 8);
        }
        return wav;
    }
}
