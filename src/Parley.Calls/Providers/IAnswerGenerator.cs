namespace Parley.Calls.Providers;

/// <summary>Turns a question and passages into a short spoken answer, and says what it cost.</summary>
public interface IAnswerGenerator
{
    string Name { get; }

    Task<GeneratedAnswer> AnswerAsync(AnswerContext context, CancellationToken cancellationToken);
}
