namespace Parley.Knowledge.Extraction;

/// <summary>Collects headings and paragraphs in reading order into sections.</summary>
internal sealed class SectionBuilder
{
    private readonly List<Section> _sections = [];
    private readonly List<(int Level, string Text)> _path = [];
    private List<string> _paragraphs = [];

    public string? FirstHeading { get; private set; }

    public void Heading(int level, string text)
    {
        text = Clean(text);
        if (text.Length == 0)
        {
            return;
        }
        Flush();
        FirstHeading ??= text;
        _path.RemoveAll(h => h.Level >= level);
        _path.Add((level, text));
    }

    public void Paragraph(string text)
    {
        text = Clean(text);
        if (text.Length > 0)
        {
            _paragraphs.Add(text);
        }
    }

    public ExtractedDocument Build(string? title)
    {
        Flush();
        return new ExtractedDocument(title ?? FirstHeading, _sections);
    }

    private void Flush()
    {
        if (_paragraphs.Count > 0)
        {
            _sections.Add(new Section(_path.Select(h => h.Text).ToList(), _paragraphs));
            _paragraphs = [];
        }
    }

    private static string Clean(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
