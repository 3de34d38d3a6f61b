using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Calls.Pipeline;

namespace Parley.Server.OpenAi;

/// <summary>The OpenAI Chat Completions wire format, as much of it as a voice platform's custom LLM sends and reads.</summary>
internal static class ChatCompletionWire
{
    /// <param name="Model">The agent: its id or its name.</param>
    /// <param name="User">The platform's own id of the caller or call: a call is made on first sight of it.</param>
    public sealed record Request(string? Model, IReadOnlyList<MessageIn>? Messages, bool? Stream, string? User);

    /// <param name="Content">A string, or an array of parts of which the <c>text</c> ones count.</param>
    public sealed record MessageIn(string? Role, JsonElement Content);

    public sealed record Completion(
        string Id, string Object, long Created, string Model, IReadOnlyList<Choice> Choices, Usage Usage, ParleyTurn Parley);

    public sealed record Choice(
        int Index, MessageOut Message, [property: JsonPropertyName("finish_reason")] string FinishReason);

    public sealed record MessageOut(string Role, string Content);

    public sealed record Usage(
        [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
        [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
        [property: JsonPropertyName("total_tokens")] long TotalTokens);

    public sealed record Chunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ParleyTurn? Parley = null);

    public sealed record ChunkChoice(
        int Index, Delta Delta,
        [property: JsonPropertyName("finish_reason"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

    public sealed record Delta(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

    /// <summary>Parley's own account of the turn, beside OpenAI's fields (clients ignore what they do not know).</summary>
    /// <param name="StandaloneQuery">What retrieval ran on when the last user message was a follow-up; <paramref name="Rewrite"/> says which rewrite made it.</param>
    public sealed record ParleyTurn(Guid CallId, Guid TurnId, IReadOnlyList<TurnSource> Sources, TurnTimings Timings, bool Cached, IReadOnlyList<string> Degraded,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StandaloneQuery = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rewrite = null);

    public sealed record ModelList(string Object, IReadOnlyList<Model> Data);

    /// <param name="Id">The agent's id; <see cref="Name"/> is accepted as <c>model</c> too.</param>
    public sealed record Model(string Id, string Object, long Created, [property: JsonPropertyName("owned_by")] string OwnedBy, string Name);

    /// <summary>The text of the last user message: what the turn retrieves on and answers.</summary>
    public static string? LastUserText(IReadOnlyList<MessageIn>? messages)
    {
        var last = messages?.LastOrDefault(m => string.Equals(m.Role, "user", StringComparison.Ordinal));
        return last?.Content.ValueKind switch
        {
            JsonValueKind.String => last.Content.GetString(),
            JsonValueKind.Array => string.Join(" ", last.Content.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var t) && t.ValueEquals("text")
                    && p.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String)
                .Select(p => p.GetProperty("text").GetString())),
            _ => null,
        };
    }
}
