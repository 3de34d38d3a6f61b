using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Parley.Calls.Providers;

/// <summary>
/// The local LLM stand-in: picks the one or two sentences of the retrieved passages that share the
/// most content words with the question, so every word it says comes from the knowledge base. Also
/// the fallback when a remote LLM misses its budget. Says it does not know when nothing passed the
/// agent's similarity threshold.
/// </summary>
public sealed partial class ExtractiveAnswerGenerator : IAnswerGenerator
{
    public const string DontKnow = "I'm sorry, I don't have that information. Would you like me to take a message?";
    private const int MaxLength = 260;

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "is", "are", "was", "do", "does", "did", "you", "your", "i", "we", "our", "can", "could", "what", "when", "where",
        "how", "which", "who", "to", "of", "in", "on", "at", "for", "and", "or", "it", "there", "be", "have", "has", "my", "me", "any", "with",
        "would", "like", "please", "about", "much", "many", "this", "that", "if", "tell",
    };

    public string Name => "extractive";

    /// <summary>Sentences are picked by the question's words alone: the history plays no part.</summary>
    public bool UsesHistory => false;

    /// <summary>Nothing billable runs here: the answer carries no usage.</summary>
    public Task<GeneratedAnswer> AnswerAsync(AnswerContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new GeneratedAnswer(Compose(context), null));

    /// <summary>Word by word (each piece a word and the space before it): the answer is whole at once, so this only shapes it like a model's stream.</summary>
    public async IAsyncEnumerable<string> StreamAsync(AnswerContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var piece in WordPieces(Compose(context)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return piece;
        }
        await Task.CompletedTask;
    }

    /// <summary>A text cut before each space, so that the pieces joined give the text back exactly.</summary>
    public static IEnumerable<string> WordPieces(string text)
    {
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }
        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    public static string Compose(AnswerContext context)
    {
        var passages = context.Passages.Where(p => p.Similarity >= context.MinSimilarity).ToList();
        if (passages.Count == 0)
        {
            return DontKnow;
        }
        var wanted = Words(context.Question).Where(w => !StopWords.Contains(w)).Select(Stem).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var scored = passages
            .SelectMany((p, rank) => Sentences(p.Content).Select((s, i) => (Sentence: s, Score: Overlap(s, wanted) + (p.Similarity * 0.5) - (rank * 0.1) - (i * 0.01))))
            .OrderByDescending(x => x.Score)
            .ToList();
        var answer = scored[0].Sentence;
        if (scored.Count > 1 && answer.Length + scored[1].Sentence.Length < MaxLength && Overlap(scored[1].Sentence, wanted) > 0)
        {
            answer += " " + scored[1].Sentence;
        }
        return answer.Length <= MaxLength ? answer : answer[..answer.LastIndexOf(' ', MaxLength)] + "…";
    }

    private static double Overlap(string sentence, HashSet<string> wanted) =>
        Words(sentence).Select(Stem).Distinct(StringComparer.OrdinalIgnoreCase).Count(wanted.Contains);

    private static IEnumerable<string> Sentences(string passage) =>
        // The first line of a chunk is its heading path: not something to say out loud.
        SentenceSplit().Split(passage.Contains('\n', StringComparison.Ordinal) ? passage[(passage.IndexOf('\n', StringComparison.Ordinal) + 1)..] : passage)
            .Select(s => s.Trim()).Where(s => s.Length > 3);

    private static IEnumerable<string> Words(string text) => WordSplit().Matches(text).Select(m => m.Value.ToLowerInvariant());

    private static string Stem(string w) => w.Length > 4 && w.EndsWith('s') ? w[..^1] : w;

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceSplit();

    [GeneratedRegex(@"[\p{L}\p{N}$']+")]
    private static partial Regex WordSplit();
}
