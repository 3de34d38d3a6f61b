using System.Text;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Caps how deeply an HTML page nests, before it is parsed: tags that would open an element deeper
/// than the cap are dropped (with their matching end tags), their text kept, so the DOM the parser
/// builds is never deeper than the cap and nothing walks 100 000 ancestors. A light scan, not an
/// HTML parser: it tracks open elements the way browsers mostly do (void elements, raw-text
/// elements, comments, and the elements whose end tag is optional), which is enough to bound depth.
/// </summary>
internal static class HtmlNesting
{
    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext",
    };

    /// <summary>Elements that close an open one of the same family when they open (<c>&lt;li&gt;&lt;li&gt;</c> are siblings).</summary>
    private static readonly Dictionary<string, string> Family = new(StringComparer.OrdinalIgnoreCase)
    {
        ["li"] = "li", ["dt"] = "dd", ["dd"] = "dd", ["option"] = "option", ["tr"] = "tr", ["td"] = "td", ["th"] = "td",
        ["p"] = "p", ["thead"] = "tbody", ["tbody"] = "tbody", ["tfoot"] = "tbody",
    };

    /// <summary>Block elements that end an open paragraph.</summary>
    private static readonly HashSet<string> ClosesParagraph = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
    };

    /// <summary>The page with tags deeper than <paramref name="maxDepth"/> removed; the same string when none is.</summary>
    public static string Cap(string html, int maxDepth)
    {
        var open = new List<string>();
        var dropped = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        StringBuilder? output = null;
        var copied = 0;
        var i = 0;
        while ((i = html.IndexOf('<', i)) >= 0)
        {
            var start = i;
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                var endComment = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = endComment < 0 ? html.Length : endComment + 3;
                continue;
            }
            var close = i + 1 < html.Length && html[i + 1] == '/';
            var nameStart = close ? i + 2 : i + 1;
            var nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-' || html[nameEnd] == ':'))
            {
                nameEnd++;
            }
            if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                // "<!doctype", "<?xml", or a lone "<" in text.
                i++;
                continue;
            }
            var tagEnd = html.IndexOf('>', nameEnd);
            if (tagEnd < 0)
            {
                break;
            }
            i = tagEnd + 1;
            var name = html[nameStart..nameEnd];
            bool drop;
            if (close)
            {
                drop = dropped.TryGetValue(name, out var n) && n > 0;
                if (drop)
                {
                    dropped[name] = n - 1;
                }
                else if (open.FindLastIndex(o => o.Equals(name, StringComparison.OrdinalIgnoreCase)) is var at and >= 0)
                {
                    open.RemoveRange(at, open.Count - at);
                }
            }
            else
            {
                CloseImplied(open, name);
                var selfClosing = html[tagEnd - 1] == '/' || Void.Contains(name);
                drop = !selfClosing && open.Count >= maxDepth;
                if (drop)
                {
                    dropped[name] = dropped.GetValueOrDefault(name) + 1;
                }
                else if (!selfClosing)
                {
                    open.Add(name);
                }
                if (!drop && RawText.Contains(name))
                {
                    // Its content is text up to its end tag, whatever it holds.
                    var end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                    i = end < 0 ? html.Length : end;
                }
            }
            if (drop)
            {
                output ??= new StringBuilder(html.Length);
                output.Append(html, copied, start - copied);
                copied = i;
            }
        }
        if (output is null)
        {
            return html;
        }
        output.Append(html, copied, html.Length - copied);
        return output.ToString();
    }

    private static void CloseImplied(List<string> open, string name)
    {
        if (open.Count == 0)
        {
            return;
        }
        var top = open[^1];
        if ((ClosesParagraph.Contains(name) && top.Equals("p", StringComparison.OrdinalIgnoreCase))
            || (Family.TryGetValue(name, out var family) && Family.TryGetValue(top, out var topFamily) && family == topFamily))
        {
            open.RemoveAt(open.Count - 1);
        }
    }
}
