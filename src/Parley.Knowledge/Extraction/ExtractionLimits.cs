namespace Parley.Knowledge.Extraction;

/// <summary>
/// What one extraction may produce: pages read from a PDF, bytes of text (UTF-8) in all, and the
/// element nesting an HTML page keeps (deeper tags are dropped before parsing, their text kept).
/// </summary>
public sealed record ExtractionLimits(int MaxPages, int MaxTextBytes, int MaxHtmlDepth)
{
    /// <summary>Generous limits for trusted input (the CLI's own files, benchmarks).</summary>
    public static ExtractionLimits Default { get; } = new(10_000, 64 * 1024 * 1024, 512);
}
