using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Bench.FollowUps;

/// <summary>One section of the public corpus, ingested as a document of its own (its title is what a dialogue expects).</summary>
internal sealed record CorpusSection(string Title, string Text);

/// <summary>
/// The public corpus of the follow-up benchmark: the Debian Reference (Debian package
/// <c>debian-reference-en</c>, GPL), read from its plain-text edition and cut into its numbered
/// subsections ("2.2.2. Basic package management operations with the commandline"), each a document.
/// Subsections rather than chapters, so that hit@3 asks for the right page of a book of ~500, not one
/// of twelve chapters. Only the chapters the dialogues ask about are loaded: the rest would cost
/// ingest time and change nothing a dialogue measures, beyond being more distractors.
/// </summary>
internal static partial class DebianReference
{
    public static readonly string[] DefaultPaths =
    [
        "/usr/share/debian-reference/debian-reference.en.txt.gz",
        "/usr/share/doc/debian-reference-en/docs/debian-reference.en.txt.gz",
    ];

    /// <summary>The subsections of <paramref name="chapters"/>, in book order.</summary>
    public static IReadOnlyList<CorpusSection> Read(string path, IReadOnlySet<int> chapters)
    {
        using var file = File.OpenRead(path);
        using var text = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file, Encoding.UTF8);
        var sections = new List<CorpusSection>();
        string? title = null;
        var body = new StringBuilder();
        void Close()
        {
            if (title is not null && body.ToString().Trim() is { Length: > 0 } content)
            {
                sections.Add(new CorpusSection(title, $"{title}\n\n{content}"));
            }
            title = null;
            body.Clear();
        }
        // Headings start at column 0 and the body is indented; the table of contents is indented too,
        // and the list of tables at column 0 numbers two levels only, so it opens no subsection.
        while (text.ReadLine() is { } line)
        {
            if (Subsection().Match(line) is { Success: true } m)
            {
                Close();
                if (chapters.Contains(int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)))
                {
                    // The book puts a no-break space after the number; dialogues name sections with a plain one.
                    title = line.Replace('\u00A0', ' ').Trim();
                }
            }
            else if (AnyHeading().IsMatch(line))
            {
                Close();
            }
            else if (title is not null)
            {
                body.AppendLine(line.Length >= 4 && line.StartsWith("    ", StringComparison.Ordinal) ? line[4..] : line);
            }
        }
        Close();
        return sections;
    }

    /// <summary>The chapter a subsection title belongs to ("10.5.2. Basic Git commands" is in 10), or null.</summary>
    public static int? ChapterOf(string title) =>
        Subsection().Match(title) is { Success: true } m ? int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"^(\d+)\.\d+\.\d+\.[ \u00A0]\S")]
    private static partial Regex Subsection();

    [GeneratedRegex(@"^(Chapter[ \u00A0]\d+\.|Appendix[ \u00A0][A-Z]\.|\d+\.\d+\.[ \u00A0]\S|[A-Z]\.\d+\.[ \u00A0]\S)")]
    private static partial Regex AnyHeading();
}
