namespace Parley.Calls.Providers;

/// <summary>Turns a caller's recorded utterance (a WAV file) into text.</summary>
public interface ISpeechToText
{
    string Name { get; }

    /// <summary>Whether this provider can take audio at all (the passthrough takes text turns only).</summary>
    bool AcceptsAudio { get; }

    /// <summary>Every recogniser gets the utterance in one shape, decoded once by the caller.</summary>
    const int SampleRate = 16000;

    /// <summary>The transcript of an utterance, as 16-bit mono samples at <see cref="SampleRate"/> (empty when nothing was recognised).</summary>
    Task<string> TranscribeAsync(short[] samples, CancellationToken cancellationToken);
}
