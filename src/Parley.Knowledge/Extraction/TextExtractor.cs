using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;
using UglyToad.PdfPig;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Turns uploads into clean text with their headings: Markdown through Markdig's syntax tree, HTML
/// through AngleSharp's DOM, PDF through PdfPig, plain text by blank-line paragraphs. The server
/// never calls this on an upload itself: <see cref="ExtractionSandbox"/> runs it in a child process
/// under memory and CPU limits, because a parser can crash in ways no catch survives (PdfPig 0.1.16
/// overflows its stack on a deeply nested Type 4 function) or inflate a small file to gigabytes.
/// </summary>
public static class TextExtractor
{
    private const string BlockSelector = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dt, dd, figcaption";

    private static readonly HashSet<string> Blocks = [.. BlockSelector.Split(", ")];

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Picks the format from the file name (or content type) and extracts, with <see cref="ExtractionLimits.Default"/>.</summary>
    public static ExtractedDocument Extract(string fileName, string? contentType, byte[] bytes, string? title) =>
        Extract(fileName, contentType, bytes, title, ExtractionLimits.Default);

    /// <summary>Picks the format from the file name (or content type) and extracts within <paramref name="limits"/>.</summary>
    public static ExtractedDocument Extract(string fileName, string? contentType, byte[] bytes, string? title, ExtractionLimits limits)
    {
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        if (ext == ".pdf" || contentType == "application/pdf")
        {
            return FromPdf(bytes, title, limits);
        }
        var text = DecodeText(bytes);
        return ext switch
        {
            ".md" or ".markdown" => FromMarkdown(text, title, limits),
            ".html" or ".htm" => FromHtml(text, title, limits),
            ".txt" or ".text" or "" => FromPlainText(text, title, limits),
            _ when contentType is "text/markdown" => FromMarkdown(text, title, limits),
            _ when contentType is "text/html" => FromHtml(text, title, limits),
            _ when contentType is "text/plain" => FromPlainText(text, title, limits),
            _ => throw new ArgumentException($"Unsupported file type '{ext}': use .txt, .md, .html or .pdf."),
        };
    }

    /// <summary>UTF-8 text or a clear error: a NUL byte or an invalid sequence means this is not text.</summary>
    public static string DecodeText(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            throw new ArgumentException("The file is binary (it contains NUL bytes), not text.");
        }
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw new ArgumentException("The file is not valid UTF-8 text.");
        }
    }

    public static ExtractedDocument FromPlainText(string text, string? title, ExtractionLimits? limits = null)
    {
        var b = new SectionBuilder((limits ?? ExtractionLimits.Default).MaxTextBytes);
        foreach (var para in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            b.Paragraph(para);
        }
        return b.Build(title);
    }

    public static ExtractedDocument FromMarkdown(string markdown, string? title, ExtractionLimits? limits = null)
    {
        var b = new SectionBuilder((limits ?? ExtractionLimits.Default).MaxTextBytes);
        var doc = Markdown.Parse(markdown, Pipeline);
        foreach (var block in doc.Descendants<LeafBlock>())
        {
            var source = markdown.Substring(block.Span.Start, Math.Min(block.Span.Length, markdown.Length - block.Span.Start));
            var plain = Markdown.ToPlainText(source, Pipeline).Trim();
            if (block is HeadingBlock heading)
            {
                b.Heading(heading.Level, plain);
            }
            else if (block is not ThematicBreakBlock)
            {
                b.Paragraph(plain);
            }
        }
        return b.Build(title);
    }

    public static ExtractedDocument FromHtml(string html, string? title, ExtractionLimits? limits = null)
    {
        limits ??= ExtractionLimits.Default;
        var document = new HtmlParser().ParseDocument(HtmlNesting.Cap(html, limits.MaxHtmlDepth));
        foreach (var junk in document.QuerySelectorAll("script, style, noscript, template, nav, footer"))
        {
            junk.Remove();
        }
        var b = new SectionBuilder(limits.MaxTextBytes);
        // Which elements hold a block somewhere below: each block marks its ancestors up to the first
        // one already marked, so every element is marked once (a per-block ancestor search would cost
        // depth times blocks).
        var holdsBlocks = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
        foreach (var block in document.QuerySelectorAll(BlockSelector))
        {
            var up = block.ParentElement;
            while (up is not null && holdsBlocks.Add(up))
            {
                up = up.ParentElement;
            }
        }
        if ((document.Body ?? document.DocumentElement) is { } root)
        {
            Read(root, b, holdsBlocks);
        }
        var htmlTitle = document.Title is { Length: > 0 } t ? t.Trim() : null;
        return b.Build(title ?? htmlTitle);
    }

    /// <summary>
    /// Reads a container in document order: a block is one paragraph (or heading) with all its text,
    /// a paragraph inside a list item read once with its item; text and inline elements between
    /// blocks are a paragraph of their own. Recursion is bounded by the nesting cap.
    /// </summary>
    private static void Read(IElement container, SectionBuilder b, HashSet<IElement> holdsBlocks)
    {
        var run = new StringBuilder();
        foreach (var node in container.ChildNodes)
        {
            if (node is IElement el && (Blocks.Contains(el.LocalName) || holdsBlocks.Contains(el)))
            {
                b.Paragraph(run.ToString());
                run.Clear();
                var name = el.LocalName;
                if (!Blocks.Contains(name))
                {
                    Read(el, b, holdsBlocks);
                }
                else if (name.Length == 2 && name[0] == 'h' && char.IsDigit(name[1]))
                {
                    b.Heading(name[1] - '0', el.TextContent);
                }
                else
                {
                    b.Paragraph(el.TextContent);
                }
            }
            else if (node.NodeType is NodeType.Text or NodeType.Element)
            {
                run.Append(node is IElement { LocalName: "br" } ? " " : node.TextContent);
            }
        }
        b.Paragraph(run.ToString());
    }

    public static ExtractedDocument FromPdf(byte[] bytes, string? title, ExtractionLimits? limits = null)
    {
        limits ??= ExtractionLimits.Default;
        var b = new SectionBuilder(limits.MaxTextBytes);
        try
        {
            using var pdf = PdfDocument.Open(bytes);
            if (pdf.NumberOfPages > limits.MaxPages)
            {
                throw new ArgumentException($"The PDF has {pdf.NumberOfPages} pages; the limit is {limits.MaxPages}.");
            }
            foreach (var page in pdf.GetPages())
            {
                var words = page.GetWords().Select(w => w.Text);
                b.Paragraph(string.Join(' ', words));
            }
            return b.Build(title ?? pdf.Information.Title);
        }
        catch (Exception e) when (e is not (ArgumentException or OutOfMemoryException or InsufficientExecutionStackException))
        {
            throw new ArgumentException($"The PDF could not be read: {e.Message}");
        }
    }
}
