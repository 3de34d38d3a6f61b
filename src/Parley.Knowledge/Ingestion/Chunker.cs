using System.Text.RegularExpressions;
using Parley.Knowledge.Extraction;

namespace Parley.Knowledge.Ingestion;

/// <summary>A piece of a document as embedded and stored: its text and the heading path it sits under.</summary>
public sealed record Chunk(int Ordinal, string Content, IReadOnlyList<string> Headings);

/// <summary>
/// Splits a document into chunks of about <c>ChunkTokens</c> word pieces with <c>ChunkOverlap</c> of
/// overlap, never inside a word, preferring paragraph then sentence boundaries, and never across a
/// heading: a chunk's text starts with its heading path, which helps both vector and full-text match.
/// Scripts written without spaces (Chinese, Japanese, Thai) are split at their own sentence marks
/// (。！？), and a run with no boundary at all by length, so no chunk outgrows the model's window.
/// </summary>
public sealed partial class Chunker(int chunkTokens, int overlapTokens)
{
    /// <summary>
    /// WordPiece count estimate: one per word, more for long words and punctuation, one per Han, kana
    /// or Hangul character (BERT's tokenizer reads each as a word). Counting with the real tokenizer
    /// costs ~10x more; the embedding side truncates exactly at the model's limit anyway.
    /// </summary>
    public static int EstimateTokens(string text)
    {
        var tokens = 0;
        foreach (var m in Tokens().EnumerateMatches(text))
        {
            tokens += m.Length > 7 ? 1 + ((m.Length - 2) / 6) : 1;
        }
        return tokens;
    }

    public IReadOnlyList<Chunk> Split(ExtractedDocument document)
    {
        var chunks = new List<Chunk>();
        foreach (var section in document.Sections)
        {
            var prefix = section.Headings.Count > 0 ? string.Join(" > ", section.Headings) + "\n" : "";
            var budget = Math.Max(20, chunkTokens - EstimateTokens(prefix));
            var units = section.Paragraphs.SelectMany(p => Units(p, budget)).ToList();
            var current = new List<(string Text, int Tokens)>();
            var size = 0;
            foreach (var unit in units)
            {
                if (size + unit.Tokens > budget && current.Count > 0)
                {
                    chunks.Add(new Chunk(chunks.Count, prefix + Join(current), section.Headings));
                    // Carry the tail of this chunk into the next one, whole units only.
                    var carried = new List<(string, int)>();
                    var carriedSize = 0;
                    for (var i = current.Count - 1; i >= 0 && carriedSize + current[i].Tokens <= overlapTokens; i--)
                    {
                        carried.Insert(0, current[i]);
                        carriedSize += current[i].Tokens;
                    }
                    current = carried;
                    size = carriedSize;
                }
                current.Add(unit);
                size += unit.Tokens;
            }
            if (current.Count > 0)
            {
                chunks.Add(new Chunk(chunks.Count, prefix + Join(current), section.Headings));
            }
        }
        return chunks;
    }

    /// <summary>Units joined by a space, except between two that are written without spaces (a Chinese sentence and the next).</summary>
    private static string Join(List<(string Text, int Tokens)> units)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (unit, _) in units)
        {
            if (text.Length > 0 && !(Unspaced(text[^1]) && Unspaced(unit[0])))
            {
                text.Append(' ');
            }
            text.Append(unit);
        }
        return text.ToString();
    }

    /// <summary>A paragraph if it fits, else its sentences, else (a sentence too long) runs of words, else (a word too long) pieces of it.</summary>
    private static IEnumerable<(string Text, int Tokens)> Units(string paragraph, int budget)
    {
        var tokens = EstimateTokens(paragraph);
        if (tokens <= budget / 2)
        {
            yield return (paragraph, tokens);
            yield break;
        }
        foreach (var sentence in Sentences().Split(paragraph).Where(s => s.Length > 0))
        {
            var st = EstimateTokens(sentence);
            if (st <= budget)
            {
                yield return (sentence, st);
                continue;
            }
            var run = new List<string>();
            var runTokens = 0;
            foreach (var word in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var wt = EstimateTokens(word);
                if ((runTokens + wt > budget || wt > budget) && run.Count > 0)
                {
                    yield return (string.Join(' ', run), runTokens);
                    run.Clear();
                    runTokens = 0;
                }
                if (wt > budget)
                {
                    foreach (var piece in ByLength(word, budget))
                    {
                        yield return piece;
                    }
                    continue;
                }
                run.Add(word);
                runTokens += wt;
            }
            if (run.Count > 0)
            {
                yield return (string.Join(' ', run), runTokens);
            }
        }
    }

    /// <summary>
    /// Cuts a run with no space in it (Thai, a Chinese text without sentence marks, a base64 blob)
    /// into the longest pieces that fit the budget, never inside a surrogate pair.
    /// </summary>
    private static IEnumerable<(string Text, int Tokens)> ByLength(string word, int budget)
    {
        var start = 0;
        while (start < word.Length)
        {
            // The longest prefix of the rest that fits; the estimate only grows with length.
            int lo = 1, hi = Math.Min(word.Length - start, budget * 8);
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (EstimateTokens(word.Substring(start, mid)) <= budget)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            var length = lo;
            if (start + length < word.Length && char.IsLowSurrogate(word[start + length]) && length > 1)
            {
                length--;
            }
            var piece = word.Substring(start, length);
            yield return (piece, EstimateTokens(piece));
            start += length;
        }
    }

    /// <summary>Characters of scripts written without spaces between words (Thai, Lao, CJK, their punctuation, the supplementary ideographs).</summary>
    private static bool Unspaced(char c) =>
        c is (>= '\u2E80' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF') or (>= '\uFF00' and <= '\uFFEF') or (>= '\u0E00' and <= '\u0EFF')
            or (>= '\uD800' and <= '\uDFFF');

    /// <summary>One token per Han, kana or Hangul character; else a run of letters and digits; else one punctuation mark.</summary>
    [GeneratedRegex(@"[\p{IsCJKUnifiedIdeographs}\p{IsCJKUnifiedIdeographsExtensionA}\p{IsCJKCompatibilityIdeographs}\p{IsHiragana}\p{IsKatakana}\p{IsHangulSyllables}]|[\p{L}\p{N}-[\p{IsCJKUnifiedIdeographs}\p{IsCJKUnifiedIdeographsExtensionA}\p{IsCJKCompatibilityIdeographs}\p{IsHiragana}\p{IsKatakana}\p{IsHangulSyllables}]]+|[^\s\p{L}\p{N}]")]
    private static partial Regex Tokens();

    /// <summary>
    /// Sentence ends: Latin ones (. ! ? then a space and a capital or digit), and the marks of
    /// scripts without spaces (。！？ and others, with any closing quote or bracket after them).
    /// </summary>
    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\p{N}""'(])|(?<=[。！？｡؟।॥][」』）】〕〉》”’""')\]]*)(?![」』）】〕〉》”’""')\]])\s*")]
    private static partial Regex Sentences();
}
