using System.Buffers;

namespace Parley.Domain;

/// <summary>
/// The C0 control characters (U+0000..U+001F) other than tab, line feed and carriage return. None has
/// a place in a transcript, a name or a document, and U+0000 is worse than useless: PostgreSQL refuses
/// it in <c>text</c> and <c>jsonb</c> (22021, 22P05), so one such character in a queued record would
/// fail its whole batch. The API refuses them (400 naming the field); text from a provider has them removed.
/// </summary>
public static class ControlCharacters
{
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    /// <summary>Index of the first forbidden character, or -1.</summary>
    public static int IndexOfForbidden(ReadOnlySpan<char> text) => text.IndexOfAny(Forbidden);

    /// <summary>Whether <paramref name="text"/> holds a forbidden character.</summary>
    public static bool Contains(ReadOnlySpan<char> text) => text.IndexOfAny(Forbidden) >= 0;

    /// <summary>The text without its forbidden characters; the same instance when there are none (the usual case costs one vectorised scan).</summary>
    public static string Strip(string text)
    {
        var first = text.AsSpan().IndexOfAny(Forbidden);
        if (first < 0)
        {
            return text;
        }
        return string.Create(text.Length - Count(text.AsSpan(first)), (text, first), static (span, state) =>
        {
            var (source, start) = state;
            source.AsSpan(0, start).CopyTo(span);
            var written = start;
            foreach (var c in source.AsSpan(start))
            {
                if (!Forbidden.Contains(c))
                {
                    span[written++] = c;
                }
            }
        });
    }

    /// <summary>A short description of the first forbidden character, for an error message (U+0000).</summary>
    public static string Describe(ReadOnlySpan<char> text) =>
        IndexOfForbidden(text) is var i and >= 0 ? $"U+{(int)text[i]:X4} at position {i}" : "none";

    private static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (Forbidden.Contains(c))
            {
                count++;
            }
        }
        return count;
    }
}
