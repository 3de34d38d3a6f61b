using System.Text;

namespace Parley.Calls.Pipeline;

/// <summary>How a streamed answer is cut: what is left to send once the answer is known, and where its sentences end.</summary>
public static class StreamedAnswer
{
    /// <summary>
    /// Below this a piece ending in a full stop is not yet a sentence to speak ("Dr.", "No."): speech
    /// engines start a process a call, so a sentence that short costs as much as a long one.
    /// </summary>
    private const int MinSentenceLength = 12;

    /// <summary>
    /// What the answer holds beyond what was streamed: all of it when it came whole (the answer cache),
    /// and all of it after a space when a fallback replaced an answer cut off midway.
    /// </summary>
    public static string Remainder(string streamed, string answer)
    {
        var sent = streamed.Trim();
        if (sent.Length == 0)
        {
            return answer;
        }
        return answer.StartsWith(sent, StringComparison.Ordinal) ? answer[sent.Length..] : " " + answer;
    }

    /// <summary>
    /// A whole answer cut where a stream of it would be cut (<see cref="TakeSentence"/>), the rest after the
    /// last full stop as its last sentence: the pieces the speech cache keeps, whichever way the answer went out.
    /// </summary>
    public static IReadOnlyList<string> Sentences(string answer)
    {
        var pending = new StringBuilder(answer);
        var sentences = new List<string>();
        while (TakeSentence(pending) is { } sentence)
        {
            sentences.Add(sentence);
        }
        if (pending.ToString().Trim() is { Length: > 0 } rest)
        {
            sentences.Add(rest);
        }
        return sentences;
    }

    /// <summary>
    /// Takes the first whole sentence off <paramref name="pending"/> (text ending in <c>.</c>, <c>!</c>,
    /// <c>?</c> or <c>…</c>, closing quotes or brackets after it, then a space), trimmed; null while there is none.
    /// </summary>
    public static string? TakeSentence(StringBuilder pending)
    {
        for (var i = 0; i < pending.Length - 1; i++)
        {
            if (pending[i] is not ('.' or '!' or '?' or '…'))
            {
                continue;
            }
            var end = i + 1;
            while (end < pending.Length && pending[end] is '"' or '\'' or ')' or ']' or '”' or '’')
            {
                end++;
            }
            if (end >= pending.Length || !char.IsWhiteSpace(pending[end]))
            {
                continue;
            }
            var sentence = pending.ToString(0, end).Trim();
            if (sentence.Length < MinSentenceLength)
            {
                continue;
            }
            pending.Remove(0, end);
            return sentence;
        }
        return null;
    }
}
