using System.Diagnostics;

namespace Parley.Calls.Providers;

/// <summary>
/// Local speech with Debian's espeak-ng (about 30 ms a sentence), 16-bit mono WAV at espeak's 22 050 Hz.
/// The process is killed when the stage's budget cancels it.
/// </summary>
public sealed class EspeakTextToSpeech : ITextToSpeech
{
    public const string Binary = "/usr/bin/espeak-ng";

    public string Name => "espeak-ng";

    public static bool Available => File.Exists(Binary);

    public async Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", string.IsNullOrWhiteSpace(voice) ? "en-us" : voice, "-s", "175", "--stdout" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("espeak-ng did not start.");
        await using (cancellationToken.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
        {
            await process.StandardInput.WriteAsync(text);
            process.StandardInput.Close();
            using var wav = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(wav, cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await copy;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"espeak-ng failed: {await stderr}");
            }
            return FixStreamedHeader(wav.ToArray());
        }
    }

    /// <summary>espeak writes a WAV to a pipe with placeholder sizes (it cannot seek back): set them.</summary>
    private static byte[] FixStreamedHeader(byte[] wav)
    {
        if (wav.Length >= 44 && wav[0] == 'R' && wav[1] == 'I')
        {
            BitConverter.TryWriteBytes(wav.AsSpan(4, 4), wav.Length - 8);
            BitConverter.TryWriteBytes(wav.AsSpan(40, 4), wav.Length - 44);
        }
        return wav;
    }
}
