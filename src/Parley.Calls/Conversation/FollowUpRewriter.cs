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
/// i.e. the topic words come first, less the previous question's action verb when the follow-up brings
/// words of its own (see <see cref="ActionWords"/>); <c>bench quality</c>'s follow-up set measures this rule against
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
        // A follow-up that asks something new about the previous topic ("and encrypt files with them?",
        // "and what are the basic commands?") replaces the previous action: "manage" GnuPG keys would pull
        // the search back to it. One that narrows the previous question ("and what about on Sundays?"), is
        // about the action itself ("which tools do that?") or has the topic as subject ("can it come
        // inside too?") keeps it.
        var words = Words(transcript);
        var asksSomethingNew = own.Count > 0 && (ActionWords(words).Count > 0 || OpensWithAVerb(words) || IsNewWhQuestion(words));
        var dropped = asksSomethingNew && !RefersToAction(words) && !TopicIsSubject(words) ? ActionWords(Words(previous)) : [];
        var carried = ContentWords(previous).Where(w => !own.Contains(w) && !dropped.Contains(w)).Distinct().Take(MaxCarriedWords).ToList();
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
        var cue = Cues.Contains(words[0]) || (words.Count > 1 && PairCues.Contains($"{words[0]} {words[1]}"))
            || words[^1] is "too" or "also" || (words.Count > 1 && words[^2] == "as" && words[^1] == "well");
        return cue || words.Where((w, i) => Pronouns.Contains(w) && !IsExistentialThere(words, i)).Any();
    }

    // "Is there parking?" stands alone: "there" after a form of "be" points at nothing.
    private static bool IsExistentialThere(List<string> words, int i) =>
        words[i] == "there" && ((i > 0 && words[i - 1] is "is" or "are" or "was" or "were") || (i + 1 < words.Count && words[i + 1] is "is" or "are"));

    /// <summary>
    /// The verbs a question asks to perform: the content word after "how do I", "how to", "can I" and the
    /// like, with any joined to it by "and"/"or" ("how do I archive and compress files?": archive, compress).
    /// </summary>
    private static HashSet<string> ActionWords(List<string> words)
    {
        var actions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            var verb = OpenerLength(words, i);
            if (verb == 0)
            {
                continue;
            }
            for (var j = i + verb; j < words.Count && !StopWords.Contains(words[j]); j += 2)
            {
                actions.Add(words[j]);
                if (j + 1 >= words.Count || words[j + 1] is not ("and" or "or"))
                {
                    break;
                }
            }
        }
        return actions;
    }

    // "how do I", "how can we", "how to", "can I", "should we": the words before the asked-for action.
    private static int OpenerLength(List<string> words, int i)
    {
        var next = i + 1 < words.Count ? words[i + 1] : "";
        var third = i + 2 < words.Count ? words[i + 2] : "";
        return words[i] switch
        {
            "how" when next == "to" => 2,
            "how" when next is "do" or "does" or "can" or "could" or "should" or "would" && third is "i" or "we" or "you" => 3,
            "can" or "could" or "may" or "should" when next is "i" or "we" => 2,
            _ => 0,
        };
    }

    // "which tools do that?", "can I do it online?": the follow-up is about the previous action.
    private static bool RefersToAction(List<string> words) =>
        words.Where((w, i) => w is "do" or "does" or "doing" && i + 1 < words.Count && words[i + 1] is "that" or "it" or "this" or "so").Any();

    // "and encrypt files with them?", "and remove it?": an imperative right after the cue.
    private static bool OpensWithAVerb(List<string> words) => words.Count > 1 && words[0] == "and" && !StopWords.Contains(words[1]);

    // "and what are the basic commands?", "which is cheaper?": a question of its own, unlike "what about …?".
    private static bool IsNewWhQuestion(List<string> words)
    {
        var k = words.Count > 0 && Cues.Contains(words[0]) ? 1 : 0;
        return k + 1 < words.Count && words[k] is "what" or "which" or "who" or "where" or "when" or "how"
            && words[k + 1] is "is" or "are" or "was" or "were" or "does" or "do";
    }

    // "can it come inside?", "do they deliver?": the previous topic is the subject of the follow-up.
    private static bool TopicIsSubject(List<string> words) =>
        words.Where((w, i) => Auxiliaries.Contains(w) && i + 1 < words.Count && words[i + 1] is "it" or "they" or "he" or "she").Any();

    private static readonly FrozenSet<string> Auxiliaries = FrozenSet.ToFrozenSet(
        ["can", "could", "will", "would", "does", "do", "did", "should", "may", "might", "must"], StringComparer.Ordinal);

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
