using System.Text;

namespace Parley.IntegrationTests.BadInput;

/// <summary>
/// A control character in one text the API accepts, and the field the 400 must name. The typed JSON
/// bodies are covered field by field from the OpenAPI document (<see cref="HostileTextTests"/>); these
/// are the texts it does not describe: bodies read by hand, forms, JSON inside form fields, query
/// strings, and JSON of any shape (metadata, filters). <c>{callA}</c> is tenant A's call.
/// </summary>
public sealed record HostileTextCase(string Method, string Path, Func<HttpContent?> Body, string Field);

public static class HostileTextCases
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static MultipartFormDataContent Form(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        return form;
    }

    private static MultipartFormDataContent Upload(params (string Name, string Value)[] fields)
    {
        var form = Form(fields);
        form.Add(new ByteArrayContent("The terrace opens at noon."u8.ToArray()), "file", "terrace.md");
        return form;
    }

    public static readonly IReadOnlyDictionary<string, HostileTextCase> Cases = new Dictionary<string, HostileTextCase>
    {
        ["turn: NUL in the transcript"] = new("POST", "/v1/calls/{callA}/turns?speak=false", () => Json("""{"transcript":"Is there parking\u0000?"}"""), "transcript"),
        ["turn: escape sequence in the transcript"] = new("POST", "/v1/calls/{callA}/turns?speak=false", () => Json("""{"transcript":"\u001b[31mred\u001b[0m"}"""), "transcript"),
        ["turn: form transcript with a bell"] = new("POST", "/v1/calls/{callA}/turns?speak=false", () => Form(("transcript", "ring \u0007 ring")), "transcript"),
        ["document: NUL in the title"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"a\u0000b","text":"some text"}"""), "title"),
        ["document: form feed in the text"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"t","text":"page one\fpage two"}"""), "text"),
        ["document: vertical tab in the source"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"t","text":"x","source":"a\u000bb"}"""), "source"),
        ["document: NUL in a metadata value"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"t","text":"x","metadata":{"author":"a\u0000"}}"""), "metadata.author"),
        ["document: control character deep in metadata"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"t","text":"x","metadata":{"tags":["ok",{"k":"\u0002"}]}}"""), "metadata.tags[1].k"),
        ["document: NUL in a metadata key"] = new("POST", "/v1/knowledge/documents", () => Json("""{"title":"t","text":"x","metadata":{"a\u0000b":1}}"""), "metadata"),
        ["document: form title"] = new("POST", "/v1/knowledge/documents", () => Upload(("title", "menu\u0000")), "title"),
        ["document: form source"] = new("POST", "/v1/knowledge/documents", () => Upload(("source", "\u0003source")), "source"),
        ["document: form metadata as JSON escapes"] = new("POST", "/v1/knowledge/documents", () => Upload(("metadata", """{"note":"\u0000"}""")), "metadata.note"),
        ["document: form metadata as raw characters"] = new("POST", "/v1/knowledge/documents", () => Upload(("metadata", "{\"note\":\"\u0001\"}")), "metadata"),
        ["search: NUL in the query"] = new("POST", "/v1/knowledge/search", () => Json("""{"query":"parking\u0000"}"""), "query"),
        ["search: control character in the mode"] = new("POST", "/v1/knowledge/search", () => Json("""{"query":"x","mode":"hybrid\u0010"}"""), "mode"),
        ["search: NUL in a filter value"] = new("POST", "/v1/knowledge/search", () => Json("""{"query":"x","filter":{"author":"\u0000"}}"""), "filter.author"),
        ["search: NUL in a filter key"] = new("POST", "/v1/knowledge/search", () => Json("""{"query":"x","filter":{"\u0000":"b"}}"""), "filter"),
        ["openai: NUL in a message"] = new("POST", "/v1/openai/chat/completions", () => Json("""{"model":"Host","messages":[{"role":"user","content":"hi\u0000"}]}"""), "messages[0].content"),
        ["openai: escape in a message part"] = new("POST", "/v1/openai/chat/completions", () => Json("""{"model":"Host","messages":[{"role":"user","content":[{"type":"text","text":"\u001b"}]}]}"""), "messages[0].content[0].text"),
        ["vapi: NUL in the caller's words"] = new("POST", "/v1/integrations/vapi/{callA}/knowledge-base",
            () => Json("""{"message":{"type":"knowledge-base-request","messages":[{"role":"user","content":"parking\u0000"}]}}"""), "message.messages[0].content"),
        ["calls: NUL in the status filter"] = new("GET", "/v1/calls?status=active%00", () => null, "status"),
        ["calls: control character in the cursor"] = new("GET", "/v1/calls?after=%1B", () => null, "after"),
        ["metrics: control character in the window"] = new("GET", "/v1/metrics/rag?window=15m%07", () => null, "window"),
        ["documents: NUL in an unknown query parameter"] = new("GET", "/v1/knowledge/documents?whatever=%00", () => null, "whatever"),
    };
}
