using System.Buffers.Binary;
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

    /// <summary>Sample rates a caller's audio may have: telephony's 8 kHz up to studio 48 kHz.</summary>
    public const int MinSampleRate = 8000;

    public const int MaxSampleRate = 48_000;

    /// <summary>
    /// Checks a caller's WAV header against its bytes before anything decodes it (400 otherwise):
    /// PCM or float, 8–48 kHz, mono or stereo, every chunk within the file, at most
    /// <paramref name="maxSeconds"/> of audio. Decoding trusts the header: a 1 Hz file would be
    /// resampled 16 000-fold into memory, and a size field claiming 4 GB would be read as such.
    /// Provider output is not checked here (speech APIs stream WAVs with placeholder sizes).
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> wav, int maxSeconds)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw Bad("The audio is not a WAV file (no RIFF/WAVE header).");
        }
        var riff = BinaryPrimitives.ReadUInt32LittleEndian(wav[4..]);
        if (riff > (uint)(wav.Length - 8))
        {
            throw Bad($"The WAV header declares {(ulong)riff + 8} bytes; the file has {wav.Length}.");
        }
        var end = (int)riff + 8;
        int at = 12, format = 0, channels = 0, rate = 0, byteRate = 0, blockAlign = 0, bits = 0;
        long data = -1;
        while (at + 8 <= end)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav[(at + 4)..]);
            if (size > (uint)(end - at - 8))
            {
                throw Bad($"The WAV's '{ChunkName(wav.Slice(at, 4))}' chunk declares {size} bytes; only {end - at - 8} follow.");
            }
            var body = wav.Slice(at + 8, (int)size);
            if (wav.Slice(at, 4).SequenceEqual("fmt "u8) && size >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(body[4..]));
                byteRate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(body[8..]));
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(body[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (wav.Slice(at, 4).SequenceEqual("data"u8))
            {
                data = size;
            }
            at += 8 + (int)size + (int)(size & 1);
        }
        if (format == 0 || data < 0)
        {
            throw Bad("The WAV has no 'fmt ' or no 'data' chunk.");
        }
        if (format is not (1 or 3 or 0xFFFE))
        {
            throw Bad($"The WAV's audio format is {format}; send PCM (1) or IEEE float (3).");
        }
        if (rate is < MinSampleRate or > MaxSampleRate)
        {
            throw Bad($"The WAV's sample rate is {rate} Hz; it must be between {MinSampleRate} and {MaxSampleRate} Hz.");
        }
        if (channels is < 1 or > 2)
        {
            throw Bad($"The WAV has {channels} channels; send mono or stereo.");
        }
        if (bits is not (8 or 16 or 24 or 32) || blockAlign != channels * bits / 8 || byteRate != rate * blockAlign)
        {
            throw Bad($"The WAV's format does not add up: {bits} bits, {channels} channels, {blockAlign} bytes a frame, {byteRate} bytes a second at {rate} Hz.");
        }
        if (data / (double)byteRate > maxSeconds)
        {
            throw Bad($"The audio is {data / (double)byteRate:F1} s long; the limit is {maxSeconds} s.");
        }
    }

    private static InvalidRequestException Bad(string message) => new("audio", message);

    private static string ChunkName(ReadOnlySpan<byte> id)
    {
        Span<char> name = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            name[i] = id[i] is >= 0x20 and < 0x7F ? (char)id[i] : '?';
        }
        return new string(name);
    }

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

    /// <summary>WAVs said one after another as one, at the first one's rate (they all come from one provider and one setting); null for none.</summary>
    public static byte[]? Join(IReadOnlyList<byte[]> parts)
    {
        if (parts.Count <= 1)
        {
            return parts.Count == 0 ? null : parts[0];
        }
        var rate = SampleRateOf(parts[0]);
        // On a turn's path: the parts are our providers' own 16-bit mono PCM, so their samples are copied as
        // they are; anything else is decoded (and resampled) first.
        var samples = new List<short>(parts.Sum(p => p.Length / 2));
        foreach (var part in parts)
        {
            if (Pcm16MonoData(part, rate) is { } data)
            {
                samples.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(data.Span));
            }
            else
            {
                samples.AddRange(ToPcm16(part, rate));
            }
        }
        return ToWav(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples), rate);
    }

    /// <summary>The data chunk of a WAV that is 16-bit mono PCM at <paramref name="rate"/>; null for any other.</summary>
    private static ReadOnlyMemory<byte>? Pcm16MonoData(byte[] wav, int rate)
    {
        if (wav.Length < 12 || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }
        var pcm16Mono = false;
        for (var at = 12; at + 8 <= wav.Length;)
        {
            var size = (int)Math.Min(BitConverter.ToUInt32(wav, at + 4), (uint)(wav.Length - at - 8));
            var chunk = wav.AsSpan(at, 4);
            if (chunk.SequenceEqual("fmt "u8) && size >= 16)
            {
                pcm16Mono = BitConverter.ToInt16(wav, at + 8) == 1 && BitConverter.ToInt16(wav, at + 10) == 1
                    && BitConverter.ToInt32(wav, at + 12) == rate && BitConverter.ToInt16(wav, at + 22) == 16;
            }
            else if (chunk.SequenceEqual("data"u8))
            {
                // Not a conditional expression: null would turn into an empty Memory through its array conversion.
                if (!pcm16Mono)
                {
                    return null;
                }
                return wav.AsMemory(at + 8, size - (size % 2));
            }
            at += 8 + size + (size % 2);
        }
        return null;
    }

    /// <summary>How long a 16-bit mono WAV plays (its bytes after the 44-byte header; zero when it is not a WAV).</summary>
    public static TimeSpan DurationOf(ReadOnlySpan<byte> wav) =>
        SampleRateOf(wav) is > 0 and var rate && wav.Length > 44 ? TimeSpan.FromSeconds((wav.Length - 44) / 2.0 / rate) : TimeSpan.Zero;

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
