namespace Parley.Calls.Providers;

/// <summary>Turns a caller's recorded utterance (a WAV file) into text.</summary>
public interface ISpeechToText
{
    string Name { get; }

    /// <summary>Whether this provider can take audio at all (the passthrough takes text turns only).</summary>
    bool AcceptsAudio { get; }

    /// <summary>The transcript of <paramref name="wav"/> (empty when nothing was recognised).</summary>
    Task<string> TranscribeAsync(ReadOnlyMemory<byte> wav, CancellationToken cancellationToken);
}
