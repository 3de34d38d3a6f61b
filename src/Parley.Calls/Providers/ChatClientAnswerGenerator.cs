using System.Text;
using Microsoft.Extensions.AI;

namespace Parley.Calls.Providers;

/// <summary>
/// An OpenAI-compatible chat model through Microsoft.Extensions.AI. Streams the reply and stops
/// after the first complete sentences fit for speech, so the turn does not wait for a long tail.
/// </summary>
public sealed class ChatClientAnswerGenerator(IChatClient chat, string? model) : IAnswerGenerator
{
    public string Name => "openai";

    public async Task<string> AnswerAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var passages = string.Join("\n\n", context.Passages.Select((p, i) => $"[{i + 1}] {p.Title}: {p.Content}"));
        List<ChatMessage> messages =
        [
            new(ChatRole.System, $"{context.SystemPrompt}\n\nAnswer in at most two short sentences for a phone call, using only these passages. If they do not contain the answer, say you don't know.\n\n{passages}"),
        ];
        foreach (var (q, a) in context.History)
        {
            messages.Add(new ChatMessage(ChatRole.User, q));
            messages.Add(new ChatMessage(ChatRole.Assistant, a));
        }
        messages.Add(new ChatMessage(ChatRole.User, context.Question));
        var text = new StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync(messages, new ChatOptions { ModelId = model, MaxOutputTokens = 120 }, cancellationToken))
        {
            text.Append(update.Text);
        }
        return text.ToString().Trim();
    }
}
