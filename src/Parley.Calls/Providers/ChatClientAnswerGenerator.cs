using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Parley.Domain;

namespace Parley.Calls.Providers;

/// <summary>
/// An OpenAI-compatible chat model through Microsoft.Extensions.AI. Streams the reply (capped at 120
/// output tokens, enough for two spoken sentences) and reports the tokens it used: the upstream's own
/// count when its stream carries one (OpenAI's final usage chunk), else an estimate from the prompt and
/// the reply, so a turn is billed for what this stage sent, passages included.
/// </summary>
public sealed class ChatClientAnswerGenerator(IChatClient chat, string? model) : IAnswerGenerator
{
    public string Name => "openai";

    public async Task<GeneratedAnswer> AnswerAsync(AnswerContext context, CancellationToken cancellationToken)
    {
        var messages = Prompt(context);
        var text = new StringBuilder();
        UsageDetails? reported = null;
        await foreach (var update in chat.GetStreamingResponseAsync(messages, Options, cancellationToken))
        {
            text.Append(update.Text);
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                (reported ??= new UsageDetails()).Add(usage.Details);
            }
        }
        // A model's text is outside input like any other: control characters would poison the call log
        // (PostgreSQL refuses NUL in text) and have no place in speech.
        var answer = ControlCharacters.Strip(text.ToString()).Trim();
        return new GeneratedAnswer(answer, Usage(reported, messages, answer));
    }

    /// <summary>The upstream's stream passed through as its text deltas arrive, control characters removed from each.</summary>
    public async IAsyncEnumerable<string> StreamAsync(AnswerContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in chat.GetStreamingResponseAsync(Prompt(context), Options, cancellationToken))
        {
            if (ControlCharacters.Strip(update.Text ?? "") is { Length: > 0 } delta)
            {
                yield return delta;
            }
        }
    }

    private ChatOptions Options => new() { ModelId = model, MaxOutputTokens = 120 };

    private static List<ChatMessage> Prompt(AnswerContext context)
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
        return messages;
    }

    private static AnswerUsage Usage(UsageDetails? reported, List<ChatMessage> prompt, string answer)
    {
        if (reported is { InputTokenCount: not null } or { OutputTokenCount: not null } or { TotalTokenCount: not null })
        {
            long input = reported.InputTokenCount ?? 0, output = reported.OutputTokenCount ?? 0;
            return new AnswerUsage(input, output, reported.TotalTokenCount ?? input + output, Estimated: false);
        }
        return AnswerUsage.Estimate(prompt.Sum(m => m.Text.Length), answer.Length);
    }
}
