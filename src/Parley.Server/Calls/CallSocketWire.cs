using System.Buffers;
using System.Text.Json;

namespace Parley.Server.Calls;

/// <summary>
/// The messages of a call's WebSocket (<c>GET /v1/calls/{id}/stream</c>), all JSON text. In, the caller's
/// side: <c>{"type":"interim","text":…}</c> and <c>{"type":"final","text":…}</c> (optionally
/// <c>"speak":false</c>). Out: for an interim, <c>{"type":"interim","started","reason"}</c> (the body of
/// <c>POST /turns/interim</c>'s answer); for a final, the events of a streamed turn
/// (<see cref="TurnStreamWire"/>) as <c>{"type":"&lt;event&gt;", …the event's fields}</c>; and
/// <c>{"type":"error","status","title","detail"}</c> for a message refused.
/// </summary>
internal static class CallSocketWire
{
    public const string InterimType = "interim";
    public const string FinalType = "final";

    /// <summary>
    /// The largest message taken: a final's text is at most 4 000 characters, which JSON-escaped take at
    /// most 24 000 bytes; past this the socket is closed with 1009 (message too big) after an error message.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>One message of the caller's side.</summary>
    /// <param name="Speak">A final's answer spoken or not; the upgrade's <c>?speak=</c> when absent.</param>
    public sealed record Incoming(string? Type, string? Text, bool? Speak);

    /// <summary>
    /// <c>{"type": type, …}</c> with the fields of <paramref name="data"/> as the server-sent event's data
    /// has them: the same records, serialized once, the type put in front.
    /// </summary>
    public static byte[] Message(string type, object data, JsonSerializerOptions json)
    {
        using var fields = JsonSerializer.SerializeToDocument(data, data.GetType(), json);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            foreach (var field in fields.RootElement.EnumerateObject())
            {
                field.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
