using System.Text.Json;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// The extractor process's loop (<c>Parley.Extractor</c>): reads requests from stdin, extracts each
/// with <see cref="TextExtractor"/> within the limits the request names, answers on stdout, until
/// stdin closes. Synchronous on the main thread on purpose: one document at a time, the main
/// thread's full stack for the parsers, nothing else in the process that a parser could disturb.
/// The memory and CPU limits are the server's to set (environment and rlimits), not this loop's.
/// </summary>
public static class ExtractionChild
{
    /// <summary>Exit code after a document exhausted the heap: the process is not trusted with another.</summary>
    public const int ExitOutOfMemory = 3;

    private const int MaxHeaderBytes = 64 * 1024;

    public static int Run(Stream input, Stream output)
    {
        while (ExtractionProtocol.Read(input, MaxHeaderBytes) is { } headerBytes)
        {
            var file = ExtractionProtocol.Read(input, int.MaxValue) ?? [];
            var header = JsonSerializer.Deserialize(headerBytes, ExtractionProtocol.Json.ExtractionHeader)
                ?? throw new InvalidDataException("An empty request header.");
            var (answer, stop) = Extract(header, file);
            ExtractionProtocol.Write(output, JsonSerializer.SerializeToUtf8Bytes(answer, ExtractionProtocol.Json.ExtractionAnswer));
            output.Flush();
            if (stop)
            {
                return ExitOutOfMemory;
            }
        }
        return 0;
    }

    private static (ExtractionAnswer Answer, bool Stop) Extract(ExtractionHeader header, byte[] file)
    {
        try
        {
            var limits = new ExtractionLimits(header.MaxPages, header.MaxTextBytes, header.MaxHtmlDepth);
            var document = TextExtractor.Extract(header.FileName, header.ContentType, file, header.Title, limits);
            return (new ExtractionAnswer(null, null, document.Title, document.Sections), false);
        }
        catch (ArgumentException e)
        {
            return (new ExtractionAnswer(e.Message, "refused", null, null), false);
        }
        catch (OutOfMemoryException)
        {
            return (new ExtractionAnswer(null, "memory", null, null), true);
        }
        catch (Exception e)
        {
            // Any other failure inside a parser is still this document's doing.
            return (new ExtractionAnswer($"The document could not be read: {e.Message}", "refused", null, null), false);
        }
    }
}
