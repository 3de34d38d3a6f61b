using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Parley.Server.Input;

/// <summary>
/// Finds the first JSON string (value or property name) that decodes to a forbidden control character,
/// and names where it is (<c>transcript</c>, <c>contact.phone</c>, <c>metadata.tags[2]</c>). Fed the body
/// in pieces, as it arrives. Valid JSON can only carry a control character escaped (raw ones are a
/// syntax error the binder reports), so only the raw bytes of escaped strings are read: no string is
/// decoded or allocated.
/// </summary>
internal sealed class JsonControlScanner
{
    private readonly List<Frame> _path = [];
    private readonly string? _prefix;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 256 });

    /// <param name="prefix">The field the JSON sits in, when it is itself a value (a form field holding JSON).</param>
    public JsonControlScanner(string? prefix = null) => _prefix = prefix;

    /// <summary>Where the first forbidden character is, once found.</summary>
    public string? Field { get; private set; }

    /// <summary>The character found (for the message).</summary>
    public int CodePoint { get; private set; }

    /// <summary>Whether the character is in a property name of <see cref="Field"/> rather than in its value.</summary>
    public bool InName { get; private set; }

    /// <summary>Whether scanning is over: something found, or not JSON (the binder says why).</summary>
    public bool Done { get; private set; }

    /// <summary>Reads <paramref name="body"/> to its end or to the first forbidden character. A token longer than the buffer (a long text) grows the buffer to hold it.</summary>
    public static async Task<JsonControlScanner> ScanAsync(Stream body, int chunkBytes, CancellationToken cancellationToken)
    {
        var scanner = new JsonControlScanner();
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
        var kept = 0;
        try
        {
            while (!scanner.Done)
            {
                if (kept == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, kept).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(kept, Math.Min(buffer.Length - kept, Math.Max(chunkBytes, 1))), cancellationToken);
                var length = kept + read;
                var consumed = scanner.Scan(buffer.AsSpan(0, length), isFinalBlock: read == 0);
                kept = length - consumed;
                buffer.AsSpan(consumed, kept).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return scanner;
    }

    /// <summary>Scans what it can of <paramref name="buffer"/>; returns the bytes consumed (the rest is an incomplete token: pass it again with more).</summary>
    public int Scan(ReadOnlySpan<byte> buffer, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(buffer, isFinalBlock, _state);
        try
        {
            while (!Done && reader.Read())
            {
                Visit(ref reader);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a name that is no valid UTF-16 (a lone surrogate): the binder answers it.
            Done = true;
        }
        _state = reader.CurrentState;
        if (isFinalBlock)
        {
            Done = true;
        }
        return (int)reader.BytesConsumed;
    }

    private void Visit(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                if (_path.Count > 0)
                {
                    _path[^1] = _path[^1] with { Property = reader.GetString() };
                }
                if (reader.ValueIsEscaped && Forbidden(reader.ValueSpan) is var key and >= 0)
                {
                    // The key itself: named by the object it is in, never by the character.
                    Found(key, Describe(_path.Count, withLast: false) ?? "body");
                    InName = true;
                }
                return;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                NextElement();
                _path.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, -1, null));
                return;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                _path.RemoveAt(_path.Count - 1);
                return;
            case JsonTokenType.String:
                NextElement();
                if (reader.ValueIsEscaped && Forbidden(reader.ValueSpan) is var c and >= 0)
                {
                    Found(c, Describe(_path.Count, withLast: true) ?? "body");
                }
                return;
            default:
                NextElement();
                return;
        }
    }

    private void NextElement()
    {
        if (_path.Count > 0 && _path[^1].IsArray)
        {
            _path[^1] = _path[^1] with { Index = _path[^1].Index + 1 };
        }
    }

    private void Found(int codePoint, string field)
    {
        CodePoint = codePoint;
        Field = field;
        Done = true;
    }

    /// <summary>The dotted path through the first <paramref name="depth"/> frames.</summary>
    private string? Describe(int depth, bool withLast)
    {
        var sb = new StringBuilder(_prefix);
        for (var i = 0; i < depth; i++)
        {
            var f = _path[i];
            if (f.IsArray)
            {
                sb.Append('[').Append(f.Index).Append(']');
            }
            else if ((withLast || i < depth - 1) && f.Property is not null)
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }
                sb.Append(f.Property);
            }
        }
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>
    /// The first forbidden character among the escapes of a raw JSON string (<c>\u0000</c>, <c>\b</c>,
    /// <c>\f</c>, …; <c>\t \n \r</c> are allowed), or -1. An escaped backslash is skipped as a pair, so
    /// <c>\\u0000</c> (a backslash, then the letters) is text, not a NUL.
    /// </summary>
    public static int Forbidden(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length;)
        {
            switch (raw[i + 1])
            {
                case (byte)'b':
                    return 0x08;
                case (byte)'f':
                    return 0x0C;
                case (byte)'u' when i + 5 < raw.Length && raw[i + 2] == '0' && raw[i + 3] == '0' && raw[i + 4] is (byte)'0' or (byte)'1'
                                    && Parley.Domain.ControlCharacters.Contains([(char)Hex(raw[i + 4], raw[i + 5])]):
                    return Hex(raw[i + 4], raw[i + 5]);
            }
            var next = raw[(i + 2)..].IndexOf((byte)'\\');
            i = next < 0 ? -1 : i + 2 + next;
        }
        return -1;
    }

    private static int Hex(byte high, byte low) => (Digit(high) << 4) | Digit(low);

    private static int Digit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => 0xFF,
    };

    private readonly record struct Frame(bool IsArray, int Index, string? Property);
}
