namespace Parley.Calls.Providers;

/// <summary>
/// The default: the telephony side has already transcribed the caller, and the turn arrives as text.
/// Audio sent to a server configured so is bad input (400, checked by the orchestrator through
/// <see cref="AcceptsAudio"/>), not a degraded turn: no retry could have answered it.
/// </summary>
public sealed class PassthroughSpeechToText : ISpeechToText
{
    public string Name => "passthrough";

    public bool AcceptsAudio => false;

    public Task<string> TranscribeAsync(short[] samples, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The passthrough recogniser takes text turns only.");
}
