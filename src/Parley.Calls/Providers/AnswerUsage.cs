namespace Parley.Calls.Providers;

/// <summary>Tokens of one answer: as the upstream reported them, or estimated when it did not.</summary>
/// <param name="Estimated">True when the upstream gave no usage and the counts are ours (about four characters a token).</param>
public sealed record AnswerUsage(long InputTokens, long OutputTokens, long TotalTokens, bool Estimated)
{
    /// <summary>The estimate used when an upstream reports nothing: four characters a token, rounded up.</summary>
    public static AnswerUsage Estimate(int promptCharacters, int answerCharacters)
    {
        long input = (promptCharacters + 3) / 4, output = (answerCharacters + 3) / 4;
        return new AnswerUsage(input, output, input + output, Estimated: true);
    }
}
