using System.Text;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;
using UglyToad.PdfPig;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Turns uploads into clean text with their headings: Markdown through Markdig's syntax tree, HTML
/// through AngleSharp's DOM, PDF through PdfPig, plain text by blank-line paragraphs.
/// </summary>
public static class TextExtractor
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Picks the format from the file name (or content type) and extracts.</summary>
    public static ExtractedDocument Extract(string fileName, string? contentType, byte[] bytes, string? title)
    {
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        if (ext == ".pdf" || contentType == "application/pdf")
        {
            return FromPdf(bytes, title);
        }
        var text = DecodeText(bytes);
        return ext switch
        {
            ".md" or ".markdown" => FromMarkdown(text, title),
            ".html" or ".htm" => FromHtml(text, title),
            ".txt" or ".text" or "" => FromPlainText(text, title),
            _ when contentType is "text/markdown" => FromMarkdown(text, title),
            _ when contentType is "text/html" => FromHtml(text, title),
            _ when contentType is "text/plain" => FromPlainText(text, title),
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

    public static ExtractedDocument FromPlainText(string text, string? title)
    {
        var b = new SectionBuilder();
        foreach (var para in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            b.Paragraph(para);
        }
        return b.Build(title);
    }

    public static ExtractedDocument FromMarkdown(string markdown, string? title)
    {
        var b = new SectionBuilder();
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

    public static ExtractedDocument FromHtml(string html, string? title)
    {
        var document = new HtmlParser().ParseDocument(html);
        foreach (var junk in document.QuerySelectorAll("script, style, noscript, template, nav, footer"))
        {
            junk.Remove();
        }
        const string selector = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dt, dd, figcaption";
        var b = new SectionBuilder();
        foreach (var el in document.QuerySelectorAll(selector))
        {
            // A paragraph inside a list item is read with its item, once.
            if (el.ParentElement?.Closest(selector) is not null)
            {
                continue;
            }
            var name = el.LocalName;
            if (name.Length == 2 && name[0] == 'h' && char.IsDigit(name[1]))
            {
                b.Heading(name[1] - '0', el.TextContent);
            }
            else
            {
                b.Paragraph(el.TextContent);
            }
        }
        var htmlTitle = document.Title is { Length: > 0 } t ? t.Trim() : null;
        return b.Build(title ?? htmlTitle);
    }

    public static ExtractedDocument FromPdf(byte[] bytes, string? title)
    {
        var b = new SectionBuilder();
        try
        {
            using var pdf = PdfDocument.Open(bytes);
            foreach (var page in pdf.GetPages())
            {
                var words = page.GetWords().Select(w => w.Text);
                b.Paragraph(string.Join(' ', words));
            }
            return b.Build(title ?? pdf.Information.Title);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"The PDF could not be read: {e.Message}");
        }
    }
}
