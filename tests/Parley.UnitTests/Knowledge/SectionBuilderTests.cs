using Parley.Knowledge.Extraction;
using Xunit;

namespace Parley.UnitTests.Knowledge;

/// <summary>Sections in reading order: each paragraph under the path of headings above it, a heading's level deciding what it replaces.</summary>
public sealed class SectionBuilderTests
{
    [Fact]
    public void A_heading_replaces_those_of_its_level_and_below_and_keeps_those_above()
    {
        var b = new SectionBuilder();
        b.Heading(1, "Ferries");
        b.Paragraph("Boats leave hourly.");
        b.Heading(2, "Times");
        b.Paragraph("From seven.");
        b.Heading(2, "Prices");
        b.Paragraph("Two euros.");
        b.Heading(3, "Children");
        b.Paragraph("Free.");
        b.Heading(1, "Buses");
        b.Paragraph("Every ten minutes.");

        var document = b.Build(null);

        Assert.Equal(
            ["Ferries", "Ferries > Times", "Ferries > Prices", "Ferries > Prices > Children", "Buses"],
            document.Sections.Select(s => string.Join(" > ", s.Headings)));
        Assert.Equal(["Boats leave hourly.", "From seven.", "Two euros.", "Free.", "Every ten minutes."], document.Sections.SelectMany(s => s.Paragraphs));
    }

    [Fact]
    public void Paragraphs_under_one_heading_are_one_section_and_a_heading_with_nothing_under_it_is_none()
    {
        var b = new SectionBuilder();
        b.Paragraph("Before any heading.");
        b.Heading(1, "Empty");
        b.Heading(1, "Hours");
        b.Paragraph("Noon.");
        b.Paragraph("Until six.");

        var document = b.Build(null);

        Assert.Equal(2, document.Sections.Count);
        Assert.Empty(document.Sections[0].Headings);
        Assert.Equal(["Hours"], document.Sections[1].Headings);
        Assert.Equal(["Noon.", "Until six."], document.Sections[1].Paragraphs);
    }

    [Fact]
    public void The_title_is_the_documents_own_or_else_its_first_heading()
    {
        var b = new SectionBuilder();
        b.Heading(2, "  Opening   hours ");
        b.Paragraph("Noon.");
        b.Heading(1, "Prices");
        b.Paragraph("Two euros.");
        Assert.Equal("Opening hours", b.FirstHeading);
        Assert.Equal("Opening hours", b.Build(null).Title);

        var titled = new SectionBuilder();
        titled.Heading(1, "Prices");
        titled.Paragraph("Two euros.");
        Assert.Equal("Tariffs", titled.Build("Tariffs").Title);

        var plain = new SectionBuilder();
        plain.Paragraph("Two euros.");
        Assert.Null(plain.Build(null).Title);
    }

    [Fact]
    public void White_space_is_collapsed_and_blank_text_is_dropped()
    {
        var b = new SectionBuilder();
        b.Heading(1, "Hours");
        b.Heading(1, " \n\t ");
        b.Paragraph("  Open \n\n from\tnoon  ");
        b.Paragraph("   ");

        var section = Assert.Single(b.Build(null).Sections);
        Assert.Equal(["Hours"], section.Headings);
        Assert.Equal(["Open from noon"], section.Paragraphs);
    }

    [Fact]
    public void A_long_heading_is_cut_at_a_word_and_kept_whole_as_the_first_paragraph()
    {
        var words = string.Join(' ', Enumerable.Repeat("lighthouse", 30)); // 329 characters
        var b = new SectionBuilder();
        b.Heading(1, words);
        b.Paragraph("Lit at dusk.");

        var section = Assert.Single(b.Build(null).Sections);
        var heading = section.Headings.Single();
        Assert.EndsWith("…", heading, StringComparison.Ordinal);
        Assert.Equal(words[..heading[..^1].Length], heading[..^1]);
        Assert.Equal(' ', words[heading.Length - 1]);
        Assert.InRange(heading.Length - 1, SectionBuilder.MaxHeadingLength - 10, SectionBuilder.MaxHeadingLength);
        Assert.Equal([words, "Lit at dusk."], section.Paragraphs);
    }

    [Fact]
    public void A_long_heading_whose_last_space_is_at_half_the_cap_is_cut_at_the_cap()
    {
        var text = new string('a', SectionBuilder.MaxHeadingLength / 2) + " " + new string('b', 150);
        var b = new SectionBuilder();
        b.Heading(1, text);
        b.Paragraph("Body.");
        Assert.Equal(text[..SectionBuilder.MaxHeadingLength] + "…", b.Build(null).Sections[0].Headings[0]);
    }

    [Fact]
    public void A_heading_of_exactly_the_cap_is_kept_as_it_is()
    {
        var heading = new string('h', SectionBuilder.MaxHeadingLength);
        var b = new SectionBuilder();
        b.Heading(1, heading);
        b.Paragraph("Body.");
        var section = Assert.Single(b.Build(null).Sections);
        Assert.Equal([heading], section.Headings);
        Assert.Equal(["Body."], section.Paragraphs);
    }

    [Fact]
    public void A_heading_with_no_space_is_cut_at_the_cap_but_never_inside_a_surrogate_pair()
    {
        var b = new SectionBuilder();
        b.Heading(1, new string('x', 250));
        b.Paragraph("Body.");
        Assert.Equal(new string('x', SectionBuilder.MaxHeadingLength) + "…", b.Build(null).Sections[0].Headings[0]);

        // U+20BB7 is two UTF-16 units: at 199 characters of 'x' the pair straddles the cap.
        var pair = new SectionBuilder();
        pair.Heading(1, new string('x', SectionBuilder.MaxHeadingLength - 1) + string.Concat(Enumerable.Repeat("𠮷", 20)));
        pair.Paragraph("Body.");
        Assert.Equal(new string('x', SectionBuilder.MaxHeadingLength - 1) + "…", pair.Build(null).Sections[0].Headings[0]);
    }

    [Fact]
    public void The_text_limit_counts_utf8_bytes_of_headings_and_paragraphs_and_allows_exactly_the_limit()
    {
        var b = new SectionBuilder(maxTextBytes: 12);
        b.Heading(1, "éé"); // 4 bytes
        b.Paragraph("éééé"); // 8 bytes: 12 in all, the limit
        var e = Assert.Throws<ArgumentException>(() => b.Paragraph("x"));
        Assert.Equal("The document's text is larger than 12 bytes.", e.Message);

        var headings = new SectionBuilder(maxTextBytes: 5);
        headings.Heading(1, "abc");
        Assert.Throws<ArgumentException>(() => headings.Heading(2, "def"));
    }
}
