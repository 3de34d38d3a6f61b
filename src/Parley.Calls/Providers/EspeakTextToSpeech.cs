using System.Diagnostics;
using Microsoft.Extensions.Options;
using Parley.Calls.Audio;

namespace Parley.Calls.Providers;

/// <summary>
/// Local speech with Debian's espeak-ng program, one process a turn (<c>Parley:Tts:EspeakMode</c> =
/// <c>process</c>): isolated from the server, but each run starts a program and loads its data again;
/// <see cref="EspeakLibraryTextToSpeech"/> is the default. espeak always writes 22 050 Hz; the WAV is
/// resampled in process to <c>Parley:Tts:SampleRate</c> (8 or 16 kHz, 16-bit mono). The process is
/// killed when the stage's budget cancels it.
/// </summary>
public sealed class EspeakTextToSpeech(IOptions<TtsOptions> options) : ITextToSpeech
{
    public const string Binary = "/usr/bin/espeak-ng";

    /// <summary>The voice of an agent that names none.</summary>
    public const string DefaultVoice = "en-us";

    /// <summary>espeak's own default rate, said out loud so both modes speak alike.</summary>
    public const int WordsPerMinute = 175;

    public string Name => "espeak-ng";

    public static bool Available => File.Exists(Binary);

    public async Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", string.IsNullOrWhiteSpace(voice) ? DefaultVoice : voice, "-s", WordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "--stdout" })
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
            // espeak writes to a pipe with placeholder sizes (it cannot seek back); Resample sets them.
            return WavAudio.Resample(wav.GetBuffer().AsSpan(0, (int)wav.Length), options.Value.SampleRate);
        }
    }
}
