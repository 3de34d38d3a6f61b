using System.Diagnostics;
using Parley.Knowledge.Extraction;
using Xunit;

namespace Parley.UnitTests.Knowledge;

public sealed class ExtractionTests
{
    [Fact]
    public void Html_nested_100_000_deep_is_capped_before_parsing_keeps_its_text_and_takes_well_under_a_second()
    {
        var html = "<html><head><title>Deep</title></head><body>" + string.Concat(Enumerable.Repeat("<div>", 100_000))
            + "<p>The bell rings at dusk.</p>" + string.Concat(Enumerable.Repeat("</div>", 100_000)) + "<p>After the divs.</p></body></html>";
        var started = Stopwatch.StartNew();
        var document = TextExtractor.FromHtml(html, null, new ExtractionLimits(10, 1_000_000, 256));
        Assert.Equal("Deep", document.Title);
        Assert.Equal(["The bell rings at dusk.", "After the divs."], document.Sections.SelectMany(s => s.Paragraphs));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"{started.Elapsed}");
    }

    [Fact]
    public void Ordinary_html_keeps_every_tag_through_the_nesting_cap()
    {
        const string html = """
            <!doctype html><html><head><title>Menu</title><script>if (a < b && c > d) { x = "<div>"; }</script></head>
            <body><ul><li>Soup<li>Fish<li><p>Cake</ul><p>One<p>Two<table><tr><td>A<td>B<tr><td>C</table><br><img src="x.png"/>
            <!-- <div><div><div> --></body></html>
            """;
        Assert.Same(html, HtmlNesting.Cap(html, 8));
        var document = TextExtractor.FromHtml(html, null, new ExtractionLimits(10, 1_000_000, 8));
        Assert.Equal(["Soup", "Fish", "Cake", "One", "Two", "A", "B", "C"], document.Sections.SelectMany(s => s.Paragraphs));
    }

    [Fact]
    public void Tags_past_the_cap_are_dropped_with_their_end_tags_and_their_text_kept()
    {
        var capped = HtmlNesting.Cap("<div><div><div><span>deep</span></div></div></div><p>after</p>", 2);
        Assert.Equal("<div><div>deep</div></div><p>after</p>", capped);
    }

    [Fact]
    public void A_paragraph_inside_a_list_item_is_read_once_with_its_item()
    {
        var document = TextExtractor.FromHtml("<ul><li><p>Parking</p> is free</li></ul><h2>Hours</h2><p>Noon</p>", null);
        Assert.Equal("Parking is free", document.Sections[0].Paragraphs.Single());
        Assert.Equal(["Hours"], document.Sections[1].Headings);
    }

    [Fact]
    public void A_heading_of_a_megabyte_is_capped_for_every_chunk_and_its_text_kept_once()
    {
        var heading = string.Join(' ', Enumerable.Repeat("lighthouse", 100_000));
        var document = TextExtractor.FromMarkdown($"# {heading}\n\nThe lamp is lit at dusk.", null);
        var section = Assert.Single(document.Sections);
        Assert.InRange(section.Headings.Single().Length, 100, SectionBuilder.MaxHeadingLength + 1);
        Assert.Equal(heading, section.Paragraphs[0]);
        Assert.Equal("The lamp is lit at dusk.", section.Paragraphs[1]);
    }

    [Fact]
    public void Text_past_the_limit_stops_the_extraction_with_the_limit_named()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            TextExtractor.FromPlainText(string.Join("\n\n", Enumerable.Repeat("harbour lights", 1000)), null, new ExtractionLimits(10, 5000, 64)));
        Assert.Equal("The document's text is larger than 5000 bytes.", e.Message);
    }
}
