using System.Text;
using Microsoft.Extensions.AI;
using Parley.Calls.Pipeline;
using Parley.Calls.Providers;
using Parley.Domain;

namespace Parley.Calls.Conversation;

/// <summary>What the LLM made of a follow-up: a usable standalone question, or null, and the tokens the call cost.</summary>
internal sealed record LlmRewriteReply(string? Query, AnswerUsage Usage);

/// <summary>
/// The optional LLM rewrite of a follow-up (<see cref="CallOptions.LlmRewrite"/>): one short chat completion
/// through the same <see cref="IChatClient"/> as the answer, asking for the standalone question alone. It
/// runs only for turns the local rule already marks as follow-ups, under its own budget, so a caller's
/// plain question never waits for it; what it replies is checked (<see cref="Usable"/>) before it may
/// steer retrieval, since a refusal or an essay searched as a question would be worse than the local rule.
/// </summary>
internal sealed class LlmFollowUpRewriter(IChatClient chat, string? model)
{
    /// <summary>Starts the system prompt: the mark by which a model (and a test's server) tells this call from an answer.</summary>
    public const string Instruction = "Rewrite the caller's last message in this phone conversation as one standalone question";

    /// <summary>A reply longer than this is an explanation, not a question.</summary>
    public const int MaxReplyLength = 300;

    /// <summary>Earlier turns shown to the model: a follow-up leans on the last one or two, and every token is latency.</summary>
    public const int ContextTurns = 2;

    /// <summary>An earlier answer is cut to this in the prompt: its opening names the topic.</summary>
    private const int MaxAnswerCharacters = 300;

    private static readonly string[] Refusals =
    [
        "i'm sorry", "i am sorry", "sorry", "i can't", "i cannot", "i can not", "i'm unable", "i am unable", "i'm not able",
        "i am not able", "as an ai", "unfortunately", "i don't understand", "i do not understand",
    ];

    private static readonly string[] Labels = ["standalone question:", "rewritten question:", "question:", "standalone:", "rewrite:"];

    private ChatOptions Options => new() { ModelId = model, MaxOutputTokens = 60, Temperature = 0 };

    public async Task<LlmRewriteReply> RewriteAsync(string transcript, IReadOnlyList<HistoryTurn> history, CancellationToken cancellationToken)
    {
        var messages = Prompt(transcript, history);
        var response = await chat.GetResponseAsync(messages, Options, cancellationToken);
        var text = response.Text ?? "";
        var usage = response.Usage is { } u && (u.InputTokenCount is not null || u.OutputTokenCount is not null || u.TotalTokenCount is not null)
            ? new AnswerUsage(u.InputTokenCount ?? 0, u.OutputTokenCount ?? 0, u.TotalTokenCount ?? (u.InputTokenCount ?? 0) + (u.OutputTokenCount ?? 0), Estimated: false)
            : AnswerUsage.Estimate(messages.Sum(m => m.Text.Length), text.Length);
        return new LlmRewriteReply(Usable(text), usage);
    }

    internal static List<ChatMessage> Prompt(string transcript, IReadOnlyList<HistoryTurn> history)
    {
        var conversation = new StringBuilder("Conversation so far:\n");
        foreach (var turn in history.TakeLast(ContextTurns))
        {
            var answer = turn.Answer.Length > MaxAnswerCharacters ? turn.Answer[..MaxAnswerCharacters] + "…" : turn.Answer;
            conversation.Append("Caller: ").Append(turn.Question).Append('\n').Append("Agent: ").Append(answer).Append('\n');
        }
        conversation.Append("\nCaller's last message: ").Append(transcript.Trim());
        return
        [
            new(ChatRole.System, Instruction + " that can be understood and searched without the conversation: replace pronouns "
                + "and ellipses with what they refer to, keep the caller's meaning, language and words where possible, and add "
                + "nothing else. Reply with the question alone."),
            new(ChatRole.User, conversation.ToString()),
        ];
    }

    /// <summary>
    /// The reply as a standalone question, or null when it cannot be one: empty, several lines, longer than
    /// <see cref="MaxReplyLength"/>, a refusal, or no word in it. A label ("Standalone question:") and quotes
    /// around it are taken off, control characters removed (the query is stored and shown).
    /// </summary>
    internal static string? Usable(string? reply)
    {
        var text = ControlCharacters.Strip(reply ?? "").Replace('\t', ' ').Trim();
        if (text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal))
        {
            return null;
        }
        foreach (var label in Labels)
        {
            if (text.StartsWith(label, StringComparison.OrdinalIgnoreCase))
            {
                text = text[label.Length..].TrimStart();
                break;
            }
        }
        text = text.Trim().Trim('"', '\'', '“', '”', '‘', '’', '`').Trim();
        if (text.Length == 0 || text.Length > MaxReplyLength || !text.Any(char.IsLetterOrDigit))
        {
            return null;
        }
        var lower = text.ToLowerInvariant().Replace('’', '\'');
        return Refusals.Any(r => lower.StartsWith(r, StringComparison.Ordinal)) ? null : text;
    }
}
