namespace Parley.Calls.Pipeline;

/// <summary>
/// What a streamed turn publishes as it happens (<see cref="CallOrchestrator.StreamTurnAsync"/>), in this
/// order: the transcript, the sources, the answer in pieces with the audio of each sentence as soon as it
/// is spoken (interleaved: speech of the first sentence starts while the rest is generated). The end of the
/// turn is the <see cref="TurnResult"/> the call returns.
/// </summary>
public abstract record TurnEvent
{
    private TurnEvent()
    {
    }

    /// <summary>
    /// What the caller said (sent, or heard by the recogniser: null when it heard nothing) and, for a follow-up, what
    /// retrieval ran on and which rewrite made it (<c>llm</c> or <c>local</c>).
    /// </summary>
    public sealed record Transcript(string? Text, string? StandaloneQuery, string? Rewrite = null) : TurnEvent;

    /// <summary>The passages the answer is built from (those over the agent's threshold); <paramref name="Cached"/> when the answer cache had them.</summary>
    public sealed record Sources(IReadOnlyList<TurnSource> Items, bool Cached) : TurnEvent;

    /// <summary>The next piece of the answer; the pieces joined are the answer.</summary>
    public sealed record AnswerDelta(string Text) : TurnEvent;

    /// <summary>One sentence of the answer spoken: a WAV (16-bit mono), sentences numbered from 0 in the order they are said.</summary>
    public sealed record Audio(int Index, string Text, byte[] Wav) : TurnEvent;
}
