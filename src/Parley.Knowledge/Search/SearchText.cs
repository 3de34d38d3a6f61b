using System.Text.RegularExpressions;

namespace Parley.Knowledge.Search;

/// <summary>
/// The question as the full-text half of a hybrid search reads it: any of its words, not all of them.
/// <c>websearch_to_tsquery</c> ANDs every word, so a natural question ("How can I get the original code
/// of a program to compile it myself?") matched no chunk at all. Here the words are joined by
/// <c>or</c>; the tenant's text-search configuration then stems them and drops its stop words. A
/// quoted phrase stays one quoted phrase: the caller asked for those words together.
/// </summary>
internal static partial class SearchText
{
    public static string OrQuery(string? question) => question is null ? "" : string.Join(" or ",
        Term().Matches(question).Select(m => m.Value)
            // "or" itself would read as the operator; a lone letter is never a content word.
            .Where(w => w.StartsWith('"') || (w.Length > 1 && !w.Equals("or", StringComparison.OrdinalIgnoreCase))));

    /// <summary>Whether the question holds a quoted phrase (an exact-words request).</summary>
    public static bool HasPhrase(string? question) => question is not null && Phrase().IsMatch(question);

    [GeneratedRegex("\"[^\"]*[\\p{L}\\p{N}][^\"]*\"|[\\p{L}\\p{N}]+")]
    private static partial Regex Term();

    [GeneratedRegex("\"[^\"]*[\\p{L}\\p{N}][^\"]*\"")]
    private static partial Regex Phrase();
}
