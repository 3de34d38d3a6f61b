namespace Parley.Calls.Pipeline;

/// <summary>
/// What speaking a streamed answer sentence by sentence left: the sentences' audio joined (for the
/// turn's record and metering), the time spent speaking, and whether any sentence was not spoken.
/// </summary>
internal sealed record SpokenAnswer(byte[]? Wav, TimeSpan Elapsed, bool Failed)
{
    public static readonly SpokenAnswer Nothing = new(null, TimeSpan.Zero, false);
}
