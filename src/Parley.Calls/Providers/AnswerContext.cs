using Parley.Domain.Knowledge;

namespace Parley.Calls.Providers;

/// <summary>Everything an answer is made from: the agent's instructions, the conversation so far, the passages.</summary>
public sealed record AnswerContext(string SystemPrompt, string Question, IReadOnlyList<SearchHit> Passages, IReadOnlyList<(string Question, string Answer)> History, double MinSimilarity);

/// <summary>Turns text into speech: a WAV file's bytes.</summary>
public interface ITextToSpeech
{
    string Name { get; }
    Task<byte[]> SpeakAsync(string text, string voice, CancellationToken cancellationToken);
}
