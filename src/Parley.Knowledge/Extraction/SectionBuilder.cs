using System.Text;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Collects headings and paragraphs in reading order into sections. Enforces the extracted-text
/// limit as text arrives, so a small file that expands (a Flate stream, an entity bomb) stops early,
/// and caps each heading: a heading path is prefixed to every chunk of its section and stored with
/// each, so one huge heading would be copied thousands of times.
/// </summary>
internal sealed class SectionBuilder(int maxTextBytes = int.MaxValue)
{
    /// <summary>Characters a heading keeps; the full text of a longer one is kept as its section's first paragraph.</summary>
    public const int MaxHeadingLength = 200;

    private readonly List<Section> _sections = [];
    private readonly List<(int Level, string Text)> _path = [];
    private List<string> _paragraphs = [];
    private long _textBytes;

    public string? FirstHeading { get; private set; }

    public void Heading(int level, string text)
    {
        text = Clean(text);
        if (text.Length == 0)
        {
            return;
        }
        Flush();
        var heading = Cap(text);
        FirstHeading ??= heading;
        _path.RemoveAll(h => h.Level >= level);
        _path.Add((level, heading));
        if (heading.Length < text.Length)
        {
            Paragraph(text);
        }
        else
        {
            Count(heading);
        }
    }

    public void Paragraph(string text)
    {
        text = Clean(text);
        if (text.Length > 0)
        {
            Count(text);
            _paragraphs.Add(text);
        }
    }

    public ExtractedDocument Build(string? title)
    {
        Flush();
        return new ExtractedDocument(title ?? FirstHeading, _sections);
    }

    private void Count(string text)
    {
        _textBytes += Encoding.UTF8.GetByteCount(text);
        if (_textBytes > maxTextBytes)
        {
            throw new ArgumentException($"The document's text is larger than {maxTextBytes} bytes.");
        }
    }

    private void Flush()
    {
        if (_paragraphs.Count > 0)
        {
            _sections.Add(new Section(_path.Select(h => h.Text).ToList(), _paragraphs));
            _paragraphs = [];
        }
    }

    /// <summary>The first <see cref="MaxHeadingLength"/> characters, at a word boundary when there is one, never inside a surrogate pair.</summary>
    private static string Cap(string text)
    {
        if (text.Length <= MaxHeadingLength)
        {
            return text;
        }
        var cut = MaxHeadingLength;
        if (char.IsLowSurrogate(text[cut]))
        {
            cut--;
        }
        var space = text.LastIndexOf(' ', cut);
        return (space > MaxHeadingLength / 2 ? text[..space] : text[..cut]) + "…";
    }

    private static string Clean(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
