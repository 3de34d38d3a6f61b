using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parley.Knowledge;
using Parley.Knowledge.Extraction;
using Xunit;

namespace Parley.IntegrationTests.Hostile;

/// <summary>
/// The extractor sandbox itself, in this test process: each limit stops its document with the limit
/// named, this process survives what kills a child, and the next document is read by a fresh child.
/// </summary>
public sealed class ExtractionSandboxTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private ExtractionSandbox Sandbox(Action<ExtractionOptions>? configure = null)
    {
        var options = new ExtractionOptions { WarmUp = false, Children = 1 };
        configure?.Invoke(options);
        return new ExtractionSandbox(Options.Create(options), Options.Create(new KnowledgeOptions()),
            new KnowledgeMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<ExtractionSandbox>.Instance);
    }

    private static Task<ExtractedDocument> SmallPdfAsync(ExtractionSandbox sandbox) =>
        sandbox.ExtractAsync("small.pdf", "application/pdf", HostileFiles.SmallPdf("Lanterns are lit at dusk."), null, CancellationToken.None);

    /// <summary>Nine megabytes of Markdown paragraphs: seconds of CPU for Markdig, whatever the machine.</summary>
    private static byte[] HeavyMarkdown()
    {
        var words = new[] { "harbour", "lantern", "ferry", "tide", "gull", "rope", "sail", "pier" };
        var text = new StringBuilder(9 * 1024 * 1024);
        var random = new Random(3);
        while (text.Length < 9 * 1024 * 1024)
        {
            for (var i = 0; i < 30; i++)
            {
                text.Append(words[random.Next(words.Length)]).Append(i % 7 == 0 ? " *" : " ");
            }
            text.Append("\n\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Fact]
    public async Task A_pdf_that_overflows_the_parser_s_stack_ends_only_its_child_and_the_next_pdf_is_read_by_a_new_one()
    {
        using var sandbox = Sandbox();
        Assert.Equal("Lanterns are lit at dusk.", Assert.Single((await SmallPdfAsync(sandbox)).Sections).Paragraphs[0]);
        var first = Assert.Single(sandbox.IdleChildren);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            sandbox.ExtractAsync("spot.pdf", null, HostileFiles.Type4Pdf(20_000), null, CancellationToken.None));

        Assert.Contains("nests too deeply", e.Message, StringComparison.Ordinal);
        Assert.Empty(sandbox.IdleChildren);
        Assert.Equal("Lanterns are lit at dusk.", Assert.Single((await SmallPdfAsync(sandbox)).Sections).Paragraphs[0]);
        Assert.NotEqual(first, Assert.Single(sandbox.IdleChildren));
    }

    [Fact]
    public async Task A_document_past_its_cpu_limit_is_stopped_by_the_kernel_with_the_limit_named()
    {
        using var sandbox = Sandbox(o => (o.CpuSeconds, o.TimeoutSeconds) = (1, 600));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => sandbox.ExtractAsync("heavy.md", null, HeavyMarkdown(), null, CancellationToken.None));
        Assert.Equal("Reading the document took more than 1 s of CPU; it was stopped.", e.Message);
        Assert.Empty(sandbox.IdleChildren);
    }

    [Fact]
    public async Task A_document_past_its_time_limit_is_stopped_with_the_limit_named()
    {
        using var sandbox = Sandbox(o => (o.CpuSeconds, o.TimeoutSeconds) = (600, 1));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => sandbox.ExtractAsync("heavy.md", null, HeavyMarkdown(), null, CancellationToken.None));
        Assert.Equal("Reading the document took longer than 1 s; it was stopped.", e.Message);
        Assert.Empty(sandbox.IdleChildren);
    }

    [Fact]
    public async Task A_document_past_its_memory_limit_is_stopped_with_the_limit_named()
    {
        using var sandbox = Sandbox(o => o.MaxMemoryMegabytes = 64);
        var html = new StringBuilder("<html><body>");
        while (html.Length < 6 * 1024 * 1024)
        {
            html.Append("<table><tr><td><p><b>harbour lantern ferry tide gull</b></p></td></tr></table>");
        }
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            sandbox.ExtractAsync("big.html", null, Encoding.UTF8.GetBytes(html.Append("</body></html>").ToString()), null, CancellationToken.None));
        Assert.Equal("Reading the document needed more than 64 MB of memory; it was stopped.", e.Message);
        Assert.Single((await SmallPdfAsync(sandbox)).Sections);
    }

    [Fact]
    public async Task A_pdf_over_the_page_limit_is_refused_before_its_pages_are_read_and_its_child_is_kept()
    {
        using var sandbox = Sandbox(o => o.MaxPages = 50);
        using var metrics = new MetricCollector<double>(_services.GetRequiredService<IMeterFactory>(), KnowledgeMetrics.MeterName, "parley.extraction.duration");
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            sandbox.ExtractAsync("pages.pdf", null, HostileFiles.PageTreePdf(51), null, CancellationToken.None));
        Assert.Equal("The PDF has 51 pages; the limit is 50.", e.Message);
        // A refused document is the document's fault, not the child's: it stays in the pool.
        Assert.Single(sandbox.IdleChildren);
        Assert.Equal("refused", metrics.LastMeasurement!.Tags["parley.extraction.outcome"]);
    }

    [Fact]
    public async Task Html_nested_100_000_deep_is_capped_before_parsing_and_keeps_its_text()
    {
        using var sandbox = Sandbox();
        var html = Encoding.UTF8.GetBytes(HostileFiles.NestedHtml(100_000, "The bell rings at dusk."));
        var document = await sandbox.ExtractAsync("deep.html", null, html, null, CancellationToken.None);
        Assert.Equal("Deep", document.Title);
        Assert.Contains("The bell rings at dusk.", document.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_extractor_is_a_clear_error_not_a_bad_document()
    {
        using var sandbox = Sandbox(o => o.Executable = "/nonexistent/Parley.Extractor.dll");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => SmallPdfAsync(sandbox));
        Assert.Contains("/nonexistent/Parley.Extractor.dll", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _services.Dispose();
}
