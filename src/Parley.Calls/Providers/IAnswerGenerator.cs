namespace Parley.Calls.Providers;

/// <summary>Turns a question and passages into a short spoken answer, and says what it cost.</summary>
public interface IAnswerGenerator
{
    string Name { get; }

    /// <summary>Whether the answer depends on the call's earlier turns (an LLM given the history), not only on the question and passages.</summary>
    bool UsesHistory => true;

    Task<GeneratedAnswer> AnswerAsync(AnswerContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The same answer as it is produced, in pieces whose concatenation is the answer: what a streamed
    /// turn sends on as soon as each piece exists, so the caller hears the first words early.
    /// </summary>
    IAsyncEnumerable<string> StreamAsync(AnswerContext context, CancellationToken cancellationToken);
}
