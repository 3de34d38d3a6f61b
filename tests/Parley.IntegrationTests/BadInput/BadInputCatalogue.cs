using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Parley.IntegrationTests.BadInput;

/// <summary>
/// One hostile or broken request. <c>{agentB}</c>-style placeholders in the path or body are ids of
/// the fixture's rows (<c>A</c> is the caller's account, <c>B</c> another tenant's). Auth: <c>a</c> (A's
/// key), <c>revoked</c>, <c>unknown</c>, <c>none</c>, <c>basic</c>, <c>admin</c>, <c>admin-bad-account</c>.
/// </summary>
public sealed record BadRequestCase(string Method, string Path, Func<IReadOnlyDictionary<string, string>, HttpContent?> Body, HttpStatusCode Expected, string Auth = "a");

/// <summary>The catalogue: each entry must get its 4xx as problem details, change no tenant row, and leave the server healthy.</summary>
public static class BadInputCatalogue
{
    private static StringContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Raw(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return content;
    }

    private static MultipartFormDataContent Upload(byte[] bytes, string fileName) => new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", fileName } };

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>"café" in Latin-1 inside a JSON string: not UTF-8.</summary>
    private static byte[] Latin1Json(string before, string after) => [.. Utf8(before), 0x63, 0x61, 0x66, 0xE9, .. Utf8(after)];

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static readonly HttpStatusCode BadRequest = HttpStatusCode.BadRequest;
    private static readonly HttpStatusCode NotFound = HttpStatusCode.NotFound;
    private static readonly HttpStatusCode Unauthorized = HttpStatusCode.Unauthorized;
    private static readonly HttpStatusCode Unsupported = HttpStatusCode.UnsupportedMediaType;

    public static readonly IReadOnlyDictionary<string, BadRequestCase> Cases = new Dictionary<string, BadRequestCase>
    {
        // Documents: bodies that are too big, of the wrong type, not JSON, not UTF-8, not text.
        ["document: truncated JSON"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title": "x", "text": """), BadRequest),
        ["document: JSON that is not UTF-8"] = new("POST", "/v1/knowledge/documents", _ => Raw(Latin1Json("{\"title\":\"", "\",\"text\":\"x\"}"), "application/json"), BadRequest),
        ["document: JSON array for a body"] = new("POST", "/v1/knowledge/documents", _ => Json("[1, 2, 3]"), BadRequest),
        ["document: JSON null for a body"] = new("POST", "/v1/knowledge/documents", _ => Json("null"), BadRequest),
        ["document: text/plain body"] = new("POST", "/v1/knowledge/documents", _ => Raw(Utf8("just some text"), "text/plain"), Unsupported),
        ["document: XML body"] = new("POST", "/v1/knowledge/documents", _ => Raw(Utf8("<doc><title>x</title></doc>"), "application/xml"), Unsupported),
        ["document: no content type"] = new("POST", "/v1/knowledge/documents", _ => Raw(Utf8("""{"title":"x","text":"y"}"""), null), Unsupported),
        ["document: 11 MB of JSON text"] = new("POST", "/v1/knowledge/documents", _ => Json($$"""{"title":"big","text":"{{new string('a', 11 * 1024 * 1024)}}"}"""), BadRequest),
        ["document: 50 MB upload"] = new("POST", "/v1/knowledge/documents", _ => Upload(new byte[50 * 1024 * 1024].Select(_ => (byte)'a').ToArray(), "big.txt"), BadRequest),
        ["document: multipart without a file"] = new("POST", "/v1/knowledge/documents", _ => new MultipartFormDataContent { { new StringContent("x"), "title" } }, BadRequest),
        ["document: binary file (NUL bytes)"] = new("POST", "/v1/knowledge/documents", _ => Upload([0x48, 0x00, 0x49, 0x00], "binary.txt"), BadRequest),
        ["document: file not UTF-8"] = new("POST", "/v1/knowledge/documents", _ => Upload([0x43, 0x61, 0x66, 0xE9, 0x20, 0xFF], "latin1.md"), BadRequest),
        ["document: PNG upload"] = new("POST", "/v1/knowledge/documents", _ => Upload([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "picture.png"), BadRequest),
        ["document: broken PDF"] = new("POST", "/v1/knowledge/documents", _ => Upload(Utf8("%PDF-1.7 not really"), "menu.pdf"), BadRequest),
        ["document: metadata is an array"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title":"t","text":"x","metadata":[1,2]}"""), BadRequest),
        ["document: metadata is an SQL string"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title":"t","text":"x","metadata":"'; DROP TABLE knowledge_chunks; --"}"""), BadRequest),
        ["document: multipart metadata not JSON"] = new("POST", "/v1/knowledge/documents", _ => new MultipartFormDataContent { { new ByteArrayContent(Utf8("hello")), "file", "a.txt" }, { new StringContent("{oops"), "metadata" } }, BadRequest),
        ["document: metadata key with \\u0000"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title":"t","text":"x","metadata":{"a\u0000b":1}}"""), BadRequest),
        ["document: NUL character in the title"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title":"a\u0000b","text":"some text"}"""), BadRequest),
        ["document: lone surrogate in the title"] = new("POST", "/v1/knowledge/documents", _ => Json("""{"title":"\ud800","text":"some text"}"""), BadRequest),
        ["document: title of 100 000 characters"] = new("POST", "/v1/knowledge/documents", _ => Json($$"""{"title":"{{new string('t', 100_000)}}","text":"x"}"""), BadRequest),
        ["document: async=perhaps"] = new("POST", "/v1/knowledge/documents?async=perhaps", _ => Json("""{"title":"t","text":"x"}"""), BadRequest),

        // Search: sizes, types, injection strings, vectors of the wrong shape.
        ["search: topK 10 000"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","topK":10000}"""), BadRequest),
        ["search: topK beyond int"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","topK":99999999999999}"""), BadRequest),
        ["search: negative topK"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","topK":-5}"""), BadRequest),
        ["search: topK as an SQL string"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","topK":"5; DROP TABLE knowledge_chunks"}"""), BadRequest),
        ["search: query of 100 000 characters"] = new("POST", "/v1/knowledge/search", _ => Json($$"""{"query":"{{new string('q', 100_000)}}"}"""), BadRequest),
        ["search: filter is an SQL string"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","filter":"1=1; DROP TABLE knowledge_chunks; --"}"""), BadRequest),
        ["search: filter is a JSON path"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","filter":"$.tags[*] ? (@ == \"menu\")"}"""), BadRequest),
        ["search: filter key with \\u0000"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","filter":{"a\u0000":"b"}}"""), BadRequest),
        ["search: filter nested 100 deep"] = new("POST", "/v1/knowledge/search", _ => Json("{\"query\":\"x\",\"filter\":{\"a\":" + Nested(100) + "}}"), BadRequest),
        ["search: mode with an injection"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","mode":"vector'; --"}"""), BadRequest),
        ["search: minSimilarity 1e400"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x","minSimilarity":1e400}"""), BadRequest),
        ["search: vector of 3 dimensions"] = new("POST", "/v1/knowledge/search", _ => Json("""{"vector":[0.1,0.2,0.3]}"""), BadRequest),
        ["search: vector of 385 dimensions"] = new("POST", "/v1/knowledge/search", _ => Json($$"""{"vector":[{{string.Join(',', Enumerable.Repeat("0.01", 385))}}]}"""), BadRequest),
        ["search: vector of strings"] = new("POST", "/v1/knowledge/search", _ => Json("""{"vector":["a","b"]}"""), BadRequest),
        ["search: vector without query in hybrid mode"] = new("POST", "/v1/knowledge/search", _ => Json($$"""{"mode":"hybrid","vector":[{{string.Join(',', Enumerable.Repeat("0.01", 384))}}]}"""), BadRequest),
        ["search: truncated JSON"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query": "x" """), BadRequest),
        ["search: text/plain body"] = new("POST", "/v1/knowledge/search", _ => Raw(Utf8("parking"), "text/plain"), Unsupported),

        // Paging and query strings.
        ["agents: negative limit"] = new("GET", "/v1/agents?limit=-1", _ => null, BadRequest),
        ["documents: limit 0"] = new("GET", "/v1/knowledge/documents?limit=0", _ => null, BadRequest),
        ["calls: limit of a million"] = new("GET", "/v1/calls?limit=1000000", _ => null, BadRequest),
        ["calls: cursor with an injection"] = new("GET", "/v1/calls?after=%27%20OR%201%3D1%20--", _ => null, BadRequest),
        ["jobs: limit not a number"] = new("GET", "/v1/knowledge/jobs?limit=abc", _ => null, BadRequest),
        ["calls: from is not a date"] = new("GET", "/v1/calls?from=yesterday", _ => null, BadRequest),
        ["calls: status with an injection"] = new("GET", "/v1/calls?status=active%27%20OR%20%271%27%3D%271", _ => null, BadRequest),

        // Another tenant's ids: no such thing, for this caller.
        ["agents: another tenant's agent"] = new("GET", "/v1/agents/{agentB}", _ => null, NotFound),
        ["agents: patch another tenant's agent"] = new("PATCH", "/v1/agents/{agentB}", _ => Json("""{"name":"taken over"}"""), NotFound),
        ["agents: delete another tenant's agent"] = new("DELETE", "/v1/agents/{agentB}", _ => null, NotFound),
        ["contacts: another tenant's contact"] = new("GET", "/v1/contacts/{contactB}", _ => null, NotFound),
        ["documents: delete another tenant's document"] = new("DELETE", "/v1/knowledge/documents/{docB}", _ => null, NotFound),
        ["jobs: another tenant's job"] = new("GET", "/v1/knowledge/jobs/{jobB}", _ => null, NotFound),
        ["turns: on another tenant's call"] = new("POST", "/v1/calls/{callB}/turns?speak=false", _ => Json("""{"transcript":"hello"}"""), NotFound),
        ["calls: with another tenant's agent"] = new("POST", "/v1/calls", ids => Json($$"""{"agentId":"{{ids["agentB"]}}"}"""), BadRequest),
        ["api-keys: revoke another tenant's key"] = new("DELETE", "/v1/api-keys/{keyB}", _ => null, NotFound),
        ["agents: id that is not a guid"] = new("GET", "/v1/agents/1%20OR%201=1", _ => null, NotFound),

        // Keys.
        ["auth: revoked key"] = new("GET", "/v1/agents", _ => null, Unauthorized, "revoked"),
        ["auth: unknown key"] = new("GET", "/v1/agents", _ => null, Unauthorized, "unknown"),
        ["auth: no key"] = new("POST", "/v1/knowledge/search", _ => Json("""{"query":"x"}"""), Unauthorized, "none"),
        ["auth: basic credentials"] = new("GET", "/v1/calls", _ => null, Unauthorized, "basic"),
        ["auth: tenant key creating an account"] = new("POST", "/v1/accounts", _ => Json("""{"name":"sneaky"}"""), HttpStatusCode.Forbidden),
        ["auth: admin acting as a malformed account"] = new("GET", "/v1/agents", _ => null, Unauthorized, "admin-bad-account"),
        ["auth: admin on a tenant endpoint without an account"] = new("POST", "/v1/agents", _ => Json("""{"name":"x"}"""), BadRequest, "admin"),

        // Turns and CRUD bodies.
        ["turns: text/plain body"] = new("POST", "/v1/calls/{callA}/turns", _ => Raw(Utf8("hello"), "text/plain"), Unsupported),
        ["turns: truncated JSON"] = new("POST", "/v1/calls/{callA}/turns", _ => Json("""{"transcript": """), BadRequest),
        ["turns: transcript of 10 000 characters"] = new("POST", "/v1/calls/{callA}/turns", _ => Json($$"""{"transcript":"{{new string('w', 10_000)}}"}"""), BadRequest),
        ["turns: audio without a speech provider"] = new("POST", "/v1/calls/{callA}/turns", _ => new MultipartFormDataContent { { new ByteArrayContent([0x52, 0x49, 0x46, 0x46]), "audio", "a.wav" } }, BadRequest),
        ["agents: negative topK"] = new("POST", "/v1/agents", _ => Json("""{"name":"x","topK":-1}"""), BadRequest),
        ["agents: body is a JSON array"] = new("POST", "/v1/agents", _ => Json("[]"), BadRequest),
        ["agents: body not UTF-8"] = new("POST", "/v1/agents", _ => Raw(Latin1Json("{\"name\":\"", "\"}"), "application/json"), BadRequest),
        ["contacts: phone with an injection"] = new("POST", "/v1/contacts", _ => Json("""{"phone":"+1555'; DROP TABLE contacts; --"}"""), BadRequest),
    };
}
