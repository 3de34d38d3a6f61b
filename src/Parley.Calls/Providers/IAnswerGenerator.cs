namespace Parley.Calls.Providers;

/// <summary>Turns a question and passages into a short spoken answer, and says what it cost.</summary>
public interface IAnswerGenerator
{
    string Name { get; }

    /// <summary>Whether the answer depends on the call's earlier turns (an LLM given the history), not only on the question and passages.</summary>
    bool UsesHistory => true;

    Task<GeneratedAnswer> AnswerAsync(AnswerContext context, CancellationToken cancellationToken);
}
