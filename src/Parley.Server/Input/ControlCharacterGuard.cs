using System.Text;
using Microsoft.Extensions.Primitives;
using Parley.Domain;

namespace Parley.Server.Input;

/// <summary>
/// Refuses, with a 400 naming the field, any request whose text holds a C0 control character other than
/// tab, line feed and carriage return: query strings, form fields (and the JSON some of them carry),
/// uploaded file names, and every string of a JSON body, property names included, at any depth.
/// </summary>
/// <remarks>
/// One place at the edge rather than a check per input record or a JSON converter: it sees every text
/// whatever reads it afterwards (typed records, <c>JsonElement</c> metadata and filters, bodies read by
/// hand, forms), so a new endpoint or field is covered without anyone remembering to. The price is a
/// second pass over a JSON body: it reads only the raw bytes of escaped strings (valid JSON can carry a
/// control character no other way), about a microsecond for a turn's body. It runs after authentication and
/// authorization, so a caller without a key reaches it only on endpoints open to anonymous callers (the
/// Vapi webhook, which checks its signature in the handler: its body is scanned before that check).
/// </remarks>
internal sealed class ControlCharacterGuard(RequestDelegate next)
{
    private const int ChunkBytes = 16 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is not null)
        {
            var found = InQuery(request.Query);
            if (found is null && request.HasJsonContentType())
            {
                found = await InJsonAsync(request, context.RequestAborted);
            }
            else if (found is null && request.HasFormContentType)
            {
                found = InForm(await request.ReadFormAsync(context.RequestAborted));
            }
            if (found is { } f)
            {
                throw new InvalidRequestException(f.Field,
                    $"{(f.InName ? $"A property name in {f.Field}" : f.Field)} holds the control character U+{f.CodePoint:X4}; text may hold tab, line feed and carriage return, no other control character.");
            }
        }
        await next(context);
    }

    private static (string Field, int CodePoint, bool InName)? InQuery(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            if (First(key) is { } k)
            {
                return ("query", k, true);
            }
            if (First(values) is { } v)
            {
                return (key, v, false);
            }
        }
        return null;
    }

    private static (string Field, int CodePoint, bool InName)? InForm(IFormCollection form)
    {
        foreach (var (key, values) in form)
        {
            if (First(key) is { } k)
            {
                return ("form", k, true);
            }
            if (First(values) is { } v)
            {
                return (key, v, false);
            }
            // A field carrying JSON (metadata): its escapes decode to characters too.
            foreach (var value in values)
            {
                if (value is { Length: > 0 } && value.TrimStart() is ['{' or '[', ..])
                {
                    var scanner = new JsonControlScanner(key);
                    scanner.Scan(Encoding.UTF8.GetBytes(value), isFinalBlock: true);
                    if (scanner.Field is { } field)
                    {
                        return (field, scanner.CodePoint, scanner.InName);
                    }
                }
            }
        }
        foreach (var file in form.Files)
        {
            if (First(file.FileName) is { } c)
            {
                return (file.Name, c, false);
            }
        }
        return null;
    }

    private static int? First(StringValues values)
    {
        foreach (var value in values)
        {
            if (value is not null && ControlCharacters.IndexOfForbidden(value) is var i and >= 0)
            {
                return value[i];
            }
        }
        return null;
    }

    /// <summary>Scans the body as it arrives, then rewinds it for the endpoint (buffered by ASP.NET Core, on disk past 30 KB).</summary>
    private static async Task<(string Field, int CodePoint, bool InName)?> InJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        try
        {
            var scanner = await JsonControlScanner.ScanAsync(request.Body, ChunkBytes, cancellationToken);
            return scanner.Field is { } field ? (field, scanner.CodePoint, scanner.InName) : null;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}
