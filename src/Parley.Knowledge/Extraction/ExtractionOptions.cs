using System.ComponentModel.DataAnnotations;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// <c>Parley:Knowledge:Extraction</c>: the box uploads are parsed in. Each extraction runs in a child
/// process (<c>Parley.Extractor</c>) with a managed-heap limit, an address-space limit, a CPU-time
/// limit and a wall-clock timeout; the extracted text is limited by <c>Parley:Knowledge:MaxDocumentBytes</c>.
/// </summary>
public sealed class ExtractionOptions
{
    public const string Section = "Parley:Knowledge:Extraction";

    /// <summary>The child's managed heap (DOTNET_GCHeapHardLimit); its address space gets 2 GiB more for the runtime itself.</summary>
    [Range(64, 65536)]
    public int MaxMemoryMegabytes { get; set; } = 256;

    /// <summary>CPU time one document may take (RLIMIT_CPU of the child, renewed per document).</summary>
    [Range(1, 3600)]
    public int CpuSeconds { get; set; } = 10;

    /// <summary>Wall-clock time one document may take, waiting for a free child included.</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>PDFs with more pages are refused before any page is read.</summary>
    [Range(1, 1_000_000)]
    public int MaxPages { get; set; } = 2000;

    /// <summary>HTML deeper than this loses its deeper tags (their text is kept) before it is parsed; the reader recurses this deep.</summary>
    [Range(8, 2000)]
    public int MaxHtmlDepth { get; set; } = 256;

    /// <summary>Child processes at most, each extracting one document at a time; extraction is CPU-bound.</summary>
    [Range(1, 64)]
    public int Children { get; set; } = 2;

    /// <summary>Documents a child reads before it is replaced, so nothing a parser keeps accumulates.</summary>
    [Range(1, 1_000_000)]
    public int DocumentsPerChild { get; set; } = 500;

    /// <summary>Start one child when the host starts (and after one is lost), so an upload does not wait for a process to start.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Path of <c>Parley.Extractor.dll</c> (or an executable); by default the one beside the application.</summary>
    public string? Executable { get; set; }
}
