using System.Collections.Frozen;
using System.Text;

namespace Parley.Calls.Conversation;

/// <summary>What a turn searches and caches by: the caller's words, or a standalone rewrite of them.</summary>
/// <param name="Text">The query to embed and search.</param>
/// <param name="Rewritten">True when <paramref name="Text"/> borrowed words from earlier turns: the answer then depends on the conversation.</param>
public sealed record StandaloneQuery(string Text, bool Rewritten);

/// <summary>
/// The local, rule-based rewrite of a follow-up question ("and on Sundays?", "is it expensive?") into a
/// standalone query. Callers lean on the conversation all the time, and an embedding of "and on
/// Sundays?" alone searches for nothing in particular. The rule: a transcript leans when it has no
/// content word of its own, or opens with a continuation cue ("and", "what about", …) or refers back
/// with a pronoun ("it", "there", "them", …) while carrying at most <see cref="MaxAnchorWords"/>
/// content words. A leaning transcript is searched as the previous question followed by itself,
/// i.e. the topic words come first; <c>bench quality</c>'s follow-up set measures this rule against
/// plain transcripts (hit@3) and against content words only. Written by hand because it runs inside
/// a phone turn's budget (microseconds, no model call) and no library does conversational rewriting.
/// </summary>
public static class FollowUpRewriter
{
    /// <summary>A follow-up with more content words than this stands on its own.</summary>
    public const int MaxAnchorWords = 3;

    /// <summary>Words taken from the previous turn at most, so a chain of follow-ups does not grow without end.</summary>
    public const int MaxCarriedWords = 8;

    /// <summary>
    /// Forms the standalone query of <paramref name="transcript"/> given the standalone queries of the
    /// call's previous turns (oldest first; only the last one is used).
    /// </summary>
    public static StandaloneQuery Rewrite(string transcript, IReadOnlyList<string> previousQueries)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        if (previousQueries.Count == 0 || !LeansOnContext(transcript))
        {
            return new StandaloneQuery(transcript, false);
        }
        var previous = previousQueries[^1];
        var own = new HashSet<string>(ContentWords(transcript), StringComparer.Ordinal);
        var carried = ContentWords(previous).Where(w => !own.Contains(w)).Distinct().Take(MaxCarriedWords).ToList();
        if (carried.Count == 0)
        {
            return new StandaloneQuery(transcript, false);
        }
        var text = new StringBuilder(transcript.Length + 64);
        text.AppendJoin(' ', carried).Append(": ").Append(transcript.Trim());
        return new StandaloneQuery(text.ToString(), true);
    }

    /// <summary>True when the transcript cannot be understood without the turn before it.</summary>
    public static bool LeansOnContext(string transcript)
    {
        var words = Words(transcript);
        if (words.Count == 0)
        {
            return false;
        }
        var content = words.Count(w => !StopWords.Contains(w));
        if (content == 0)
        {
            return true;
        }
        if (content > MaxAnchorWords)
        {
            return false;
        }
        var cue = Cues.Contains(words[0]) || (words.Count > 1 && PairCues.Contains($"{words[0]} {words[1]}"));
        return cue || words.Where((w, i) => Pronouns.Contains(w) && !IsExistentialThere(words, i)).Any();
    }

    // "Is there parking?" stands alone: "there" after a form of "be" points at nothing.
    private static bool IsExistentialThere(List<string> words, int i) =>
        words[i] == "there" && ((i > 0 && words[i - 1] is "is" or "are" or "was" or "were") || (i + 1 < words.Count && words[i + 1] is "is" or "are"));

    /// <summary>Lower-cased words that carry a topic (stop words, pronouns and question words gone).</summary>
    public static IEnumerable<string> ContentWords(string text) => Words(text).Where(w => !StopWords.Contains(w));

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || (text[i] == '\'' && start >= 0));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = text[start..i].TrimEnd('\'').ToLowerInvariant();
                // "what's", "dog's": the clitic carries no topic.
                var apostrophe = word.IndexOf('\'');
                words.Add(apostrophe > 0 ? word[..apostrophe] : word);
                start = -1;
            }
        }
        return words;
    }

    private static readonly FrozenSet<string> Cues = FrozenSet.ToFrozenSet(
        ["and", "or", "but", "also", "so", "then", "plus", "too"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> PairCues = FrozenSet.ToFrozenSet(
        ["what about", "how about", "and what", "and how", "what if", "how come"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Pronouns = FrozenSet.ToFrozenSet(
        ["it", "its", "they", "them", "their", "theirs", "that", "those", "these", "this", "there", "one", "ones",
         "he", "she", "him", "her", "same", "such", "then"], StringComparer.Ordinal);

    // English function words, question words, pronouns and a caller's fillers: what carries no topic.
    private static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
        ["a", "an", "the", "and", "or", "but", "if", "so", "then", "than", "too", "also", "plus", "as", "of", "at", "by",
         "for", "with", "about", "against", "between", "into", "through", "during", "before", "after", "above", "below",
         "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "once", "here",
         "there", "when", "where", "why", "how", "what", "which", "who", "whom", "whose", "all", "any", "both", "each",
         "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "very", "just",
         "can", "could", "will", "would", "shall", "should", "may", "might", "must", "do", "does", "did", "doing",
         "done", "is", "are", "was", "were", "be", "been", "being", "am", "have", "has", "had", "having", "get", "got",
         "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "you", "your", "yours", "he", "him", "his",
         "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those",
         "one", "ones", "much", "many", "please", "thanks", "thank", "hi", "hello", "okay", "ok", "yes", "yeah",
         "well", "um", "uh", "like", "really", "actually", "else", "anything", "something", "there's", "let", "know",
         "tell", "wondering", "want", "wanted", "need", "s", "t", "don", "isn", "aren", "ll", "re", "ve", "d", "m"],
        StringComparer.Ordinal);
}
