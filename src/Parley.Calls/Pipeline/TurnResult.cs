using System.Text.Json.Serialization;
using Parley.Domain.Knowledge;

namespace Parley.Calls.Pipeline;

public sealed record TurnTimings(double AsrMs, double EmbedMs, double SearchMs, double LlmMs, double TtsMs, double TotalMs)
{
    /// <summary>The follow-up rewrite (stage <c>rewrite</c>, in process); 0 when it did not run.</summary>
    public double RewriteMs { get; init; }

    /// <summary>The interim-prefetch stage (<c>prefetch</c>, in process); 0 when the call sent no interim.</summary>
    public double PrefetchMs { get; init; }

    /// <summary>A streamed turn's first piece of the answer sent, in milliseconds from the request; absent from an answer given whole.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FirstTokenMs { get; init; }

    /// <summary>
    /// A streamed turn's first sentence of audio sent, from the request: what the caller waits before hearing
    /// anything. Absent when nothing was spoken, and from an answer given whole.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? FirstAudioMs { get; init; }
}

public sealed record TurnSource(Guid ChunkId, string Title, double Similarity);

/// <summary>One turn's answer, its sources, its audio, its timings, and what fell back.</summary>
public sealed record TurnResult(Guid TurnId, string Answer, IReadOnlyList<TurnSource> Sources, byte[]? Audio, TurnTimings Timings, bool Cached, IReadOnlyList<string> Degraded)
{
    /// <summary>What the turn answered: the text sent, or what the recogniser heard (null when it heard nothing).</summary>
    public string? Transcript { get; init; }

    /// <summary>
    /// The passages came from an interim transcript's prefetch (<c>POST /v1/calls/{id}/turns/interim</c>) and the
    /// search did not run: <c>exact</c> (the same words: no embedding either) or <c>similar</c>; null when the turn searched.
    /// </summary>
    public string? PrefetchMatch { get; init; }

    /// <summary>How many interim transcripts of this utterance arrived before the final one (0 when none was sent).</summary>
    public int Interims { get; init; }

    /// <summary>The words of the interim whose prefetch answered; null when the turn searched.</summary>
    public string? PrefetchTranscript { get; init; }

    /// <summary>What retrieval ran on when the transcript leaned on earlier turns and was rewritten; null otherwise.</summary>
    public string? StandaloneQuery { get; init; }

    /// <summary>The tenant's knowledge version the turn was answered from (see <see cref="TurnContext.KnowledgeVersion"/>).</summary>
    public long KnowledgeVersion { get; init; }

    /// <summary>Which rewrite made the follow-up standalone: <c>llm</c> or <c>local</c> (the rule, or the LLM's fallback); null when none did.</summary>
    public string? Rewrite { get; init; }
}
