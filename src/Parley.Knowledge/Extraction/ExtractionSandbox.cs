using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Extracts uploads in child processes, never in the server: PdfPig 0.1.16 overflows its stack on a
/// deeply nested Type 4 function (uncatchable: the process ends), and a 2 MB Flate bomb took the
/// server to 5.7 GB. A child may crash, swell to its heap limit or spin to its CPU limit; the server
/// only sees an <see cref="ArgumentException"/> naming what happened (400, or a failed job).
/// Children are pooled (a .NET process takes ~0.1–0.3 s of CPU to start and JIT the parsers): one is
/// reused for <c>DocumentsPerChild</c> documents unless it failed one, grew, or was killed.
/// </summary>
public sealed partial class ExtractionSandbox : IDisposable
{
    /// <summary>The file name of the child's assembly, built beside the server and the CLI.</summary>
    public const string ExtractorAssembly = "Parley.Extractor.dll";

    private readonly ConcurrentBag<ExtractorProcess> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly ExtractionOptions _options;
    private readonly KnowledgeOptions _knowledge;
    private readonly KnowledgeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ExtractionSandbox> _logger;
    private bool _disposed;

    public ExtractionSandbox(IOptions<ExtractionOptions> options, IOptions<KnowledgeOptions> knowledge, KnowledgeMetrics metrics, TimeProvider time,
        ILogger<ExtractionSandbox> logger)
    {
        _options = options.Value;
        _knowledge = knowledge.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.Children, _options.Children);
    }

    /// <summary>Where the child's program is: <c>Parley:Knowledge:Extraction:Executable</c>, or beside this application.</summary>
    public string Executable => _options.Executable is { Length: > 0 } configured
        ? configured
        : Path.Combine(AppContext.BaseDirectory, ExtractorAssembly);

    /// <summary>Process ids of the children alive and idle now (for tests and diagnostics).</summary>
    public IReadOnlyList<int> IdleChildren => _idle.Where(c => c.Healthy).Select(c => c.Id).ToList();

    /// <summary>
    /// The document in <paramref name="bytes"/>, extracted by a child within the limits; a bad or
    /// hostile document is an <see cref="ArgumentException"/> whose message says why, a pool that
    /// stayed busy an <see cref="ExtractorBusyException"/>.
    /// </summary>
    public async Task<ExtractedDocument> ExtractAsync(string fileName, string? contentType, byte[] bytes, string? title,
        CancellationToken cancellationToken)
    {
        var header = new ExtractionHeader(fileName, contentType, title, _options.MaxPages, _knowledge.MaxDocumentBytes,
            _options.MaxHtmlDepth);
        var started = _time.GetTimestamp();
        using var waitLimit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(waitLimit.Token, cancellationToken);
        try
        {
            await _slots.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Extracted("busy", _time.GetElapsedTime(started));
            throw new ExtractorBusyException($"Every document extractor stayed busy for {_options.TimeoutSeconds} s; send the document again shortly.");
        }
        ExtractorProcess? child = null;
        var outcome = "failed";
        try
        {
            child = Take();
            var answer = await child.RunAsync(header, bytes, _time, cancellationToken);
            if (answer.Error is { } error)
            {
                outcome = "refused";
                throw new ArgumentException(error);
            }
            outcome = "ok";
            return new ExtractedDocument(answer.Title, answer.Sections ?? []);
        }
        catch (ArgumentException e) when (outcome == "failed" && child is not null)
        {
            outcome = "stopped";
            LogChildStopped(_logger, child.Id, fileName, e.Message);
            throw;
        }
        finally
        {
            if (child is not null)
            {
                Return(child, reuse: outcome is "ok" or "refused");
            }
            _slots.Release();
            _metrics.Extracted(outcome, _time.GetElapsedTime(started));
        }
    }

    /// <summary>Starts a child and has it read a small document of each format, so the first upload finds the parsers compiled.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        ExtractorProcess? child = null;
        var ok = false;
        try
        {
            child = Take();
            foreach (var (name, bytes) in WarmUpSamples.All)
            {
                var header = new ExtractionHeader(name, null, null, _options.MaxPages, _knowledge.MaxDocumentBytes,
                    _options.MaxHtmlDepth);
                await child.RunAsync(header, bytes, _time, cancellationToken);
            }
            ok = true;
        }
        finally
        {
            if (child is not null)
            {
                Return(child, reuse: ok);
            }
            _slots.Release();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var child))
        {
            child.Dispose();
        }
        _slots.Dispose();
    }

    private ExtractorProcess Take()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_idle.TryTake(out var idle))
        {
            if (idle.Healthy)
            {
                return idle;
            }
            idle.Dispose();
        }
        var executable = Executable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"The document extractor is missing: {executable} does not exist. "
                + $"Build Parley.Extractor beside the server, or set {ExtractionOptions.Section}:Executable.");
        }
        var started = Stopwatch.GetTimestamp();
        var child = ExtractorProcess.Start(executable, _options);
        _metrics.ExtractorStarted();
        LogChildStarted(_logger, child.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return child;
    }

    /// <summary>Back to the pool, or retired: after a failure, past its quota, or holding more than half its heap limit.</summary>
    private void Return(ExtractorProcess child, bool reuse)
    {
        var retire = !reuse || _disposed || !child.Healthy || child.Documents >= _options.DocumentsPerChild
            || child.ResidentBytes > (long)_options.MaxMemoryMegabytes * 1024 * 1024 / 2 + (96L * 1024 * 1024);
        if (!retire)
        {
            _idle.Add(child);
            return;
        }
        child.Dispose();
        if (!reuse && _options.WarmUp && !_disposed)
        {
            // A child was lost to a bad document: have the next one ready before the next upload.
            _ = Task.Run(() => TryWarmUpAsync());
        }
    }

    private async Task TryWarmUpAsync()
    {
        try
        {
            await WarmUpAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException or IOException
            or ExtractorBusyException)
        {
            LogWarmUpFailed(_logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Extractor child {Pid} started in {Milliseconds:F0} ms")]
    private static partial void LogChildStarted(ILogger logger, int pid, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extractor child {Pid} was lost reading {FileName}: {Reason}")]
    private static partial void LogChildStopped(ILogger logger, int pid, string fileName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extractor warm-up failed")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);

    /// <summary>A tiny document of each format: reading them compiles the parsers' code paths in a fresh child.</summary>
    private static class WarmUpSamples
    {
        public static readonly (string Name, byte[] Bytes)[] All =
        [
            ("warm-up.md", "# Warm up\n\nA *small* paragraph.\n\n- one\n- two\n"u8.ToArray()),
            ("warm-up.html", "<html><head><title>Warm up</title></head><body><h1>Warm up</h1><p>A page.</p></body></html>"u8.ToArray()),
            ("warm-up.pdf", Pdf("Warm up")),
        ];

        /// <summary>A one-page PDF with one line of Helvetica text, its cross-reference table computed.</summary>
        private static byte[] Pdf(string text)
        {
            var content = $"BT /F1 12 Tf 72 720 Td ({text}) Tj ET";
            string[] objects =
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
                    + "/Contents 5 0 R >>",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            ];
            var pdf = new StringBuilder("%PDF-1.4\n");
            var offsets = new List<int>();
            for (var i = 0; i < objects.Length; i++)
            {
                offsets.Add(pdf.Length);
                pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
            }
            var xref = pdf.Length;
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
            foreach (var offset in offsets)
            {
                pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
            }
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return Encoding.ASCII.GetBytes(pdf.ToString());
        }
    }
}
