using System.Text.RegularExpressions;
using Parley.Knowledge.Extraction;

namespace Parley.Knowledge.Ingestion;

/// <summary>A piece of a document as embedded and stored: its text and the heading path it sits under.</summary>
public sealed record Chunk(int Ordinal, string Content, IReadOnlyList<string> Headings);

/// <summary>
/// Splits a document into chunks of about <c>ChunkTokens</c> word pieces with <c>ChunkOverlap</c> of
/// overlap, never inside a word, preferring paragraph then sentence boundaries, and never across a
/// heading: a chunk's text starts with its heading path, which helps both vector and full-text match.
/// </summary>
public sealed partial class Chunker(int chunkTokens, int overlapTokens)
{
    /// <summary>
    /// WordPiece count estimate: one per word, more for long words and punctuation. Counting with the
    /// real tokenizer costs ~10x more; the embedding side truncates exactly at the model's limit anyway.
    /// </summary>
    public static int EstimateTokens(string text)
    {
        var tokens = 0;
        foreach (Match m in Tokens().Matches(text))
        {
            var w = m.Value;
            tokens += char.IsLetterOrDigit(w[0]) ? 1 + (w.Length > 7 ? (w.Length - 2) / 6 : 0) : 1;
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

    private static string Join(List<(string Text, int Tokens)> units) => string.Join(' ', units.Select(u => u.Text));

    /// <summary>A paragraph if it fits, else its sentences, else (a sentence too long) runs of words.</summary>
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
            var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var run = new List<string>();
            var runTokens = 0;
            foreach (var word in words)
            {
                var wt = EstimateTokens(word);
                if (runTokens + wt > budget && run.Count > 0)
                {
                    yield return (string.Join(' ', run), runTokens);
                    run.Clear();
                    runTokens = 0;
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

    [GeneratedRegex(@"[\p{L}\p{N}]+|[^\s\p{L}\p{N}]")]
    private static partial Regex Tokens();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\p{N}""'(])")]
    private static partial Regex Sentences();
}
