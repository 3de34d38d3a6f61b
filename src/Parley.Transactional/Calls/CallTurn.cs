using Parley.Domain;

namespace Parley.Transactional.Calls;

/// <summary>One exchange of a call: what the caller said, what the agent answered, from which chunks, and how long each stage took.</summary>
public sealed class CallTurn
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public Guid CallId { get; set; }
    public int Ordinal { get; set; }
    public string Transcript { get; set; } = "";
    /// <summary>The standalone query retrieval ran on when the transcript was a follow-up rewritten from earlier turns; null otherwise.</summary>
    public string? StandaloneQuery { get; set; }
    /// <summary>Which rewrite made <see cref="StandaloneQuery"/>: <c>llm</c> or <c>local</c>; null when the turn was not rewritten.</summary>
    public string? Rewrite { get; set; }
    public string Answer { get; set; } = "";
    public Guid[] ChunkIds { get; set; } = [];
    /// <summary>The cited sources as JSON (chunk id, title, similarity), for display.</summary>
    public string Sources { get; set; } = "[]";
    public double AsrMs { get; set; }
    /// <summary>The follow-up rewrite (stage <c>rewrite</c>: the local rule, or the LLM under its budget); 0 when it did not run.</summary>
    public double RewriteMs { get; set; }
    public double EmbedMs { get; set; }
    public double SearchMs { get; set; }
    public double LlmMs { get; set; }
    public double TtsMs { get; set; }
    public double TotalMs { get; set; }
    public bool Cached { get; set; }
    public string[] Degraded { get; set; } = [];
    /// <summary>
    /// The tenant's knowledge version the turn was answered from (bumped by every upload and delete, so an
    /// answer can be traced to the knowledge base as it then stood); null for turns logged before it was kept.
    /// </summary>
    public long? KnowledgeVersion { get; set; }
    /// <summary>Interim transcripts of the utterance that arrived before this final one (<c>/turns/interim</c> or the call's WebSocket); 0 when none.</summary>
    public int Interims { get; set; }
    /// <summary><c>exact</c> or <c>similar</c> when an interim's prefetch gave the passages and no search ran; null otherwise.</summary>
    public string? PrefetchMatch { get; set; }
    /// <summary>The words of the interim whose prefetch answered; null when none did.</summary>
    public string? PrefetchTranscript { get; set; }
    /// <summary>The <c>prefetch</c> stage (in process); 0 when the call sent no interim.</summary>
    public double PrefetchMs { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
