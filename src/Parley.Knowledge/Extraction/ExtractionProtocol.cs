using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Knowledge.Extraction;

/// <summary>What the server asks of the extractor: the file follows as a second frame.</summary>
internal sealed record ExtractionHeader(string FileName, string? ContentType, string? Title, int MaxPages, int MaxTextBytes,
    int MaxHtmlDepth);

/// <summary>
/// The extractor's answer: a document, or an error. <c>Kind</c> says what an error is:
/// <c>refused</c> (the document is bad; the child is fine) or <c>memory</c> (the child stops after answering).
/// </summary>
internal sealed record ExtractionAnswer(string? Error, string? Kind, string? Title, IReadOnlyList<Section>? Sections);

[JsonSerializable(typeof(ExtractionHeader))]
[JsonSerializable(typeof(ExtractionAnswer))]
internal sealed partial class ExtractionJson : JsonSerializerContext;

/// <summary>
/// Frames on the child's stdin and stdout: a 4-byte little-endian length, then that many bytes.
/// A request is two frames (header JSON, file bytes), an answer one (JSON).
/// </summary>
internal static class ExtractionProtocol
{
    /// <summary>camelCase, and non-ASCII text left as it is: escaping CJK as \uXXXX would double the answer.</summary>
    public static ExtractionJson Json { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static void Write(Stream stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        stream.Write(length);
        stream.Write(payload);
    }

    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        await stream.WriteAsync(length, cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
    }

    /// <summary>The next frame; null at the end of the stream before a frame starts.</summary>
    public static byte[]? Read(Stream stream, int maxBytes)
    {
        Span<byte> length = stackalloc byte[4];
        if (stream.ReadAtLeast(length, 4, throwOnEndOfStream: false) < 4)
        {
            return null;
        }
        var payload = new byte[CheckLength(BinaryPrimitives.ReadInt32LittleEndian(length), maxBytes)];
        stream.ReadExactly(payload);
        return payload;
    }

    /// <summary>The next frame; null when the stream ends first (the other side died).</summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var length = new byte[4];
        if (await stream.ReadAtLeastAsync(length, 4, throwOnEndOfStream: false, cancellationToken) < 4)
        {
            return null;
        }
        var payload = new byte[CheckLength(BinaryPrimitives.ReadInt32LittleEndian(length), maxBytes)];
        var read = await stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken);
        return read < payload.Length ? null : payload;
    }

    private static int CheckLength(int length, int maxBytes) =>
        length >= 0 && length <= maxBytes
            ? length
            : throw new InvalidDataException($"A frame of {length} bytes is over the limit of {maxBytes}.");
}
