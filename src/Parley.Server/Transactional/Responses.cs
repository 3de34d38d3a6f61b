using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Transactional.Accounts;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Calls;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;
using Parley.Transactional.Users;

namespace Parley.Server.Transactional;

/// <summary>
/// What the API shows of each entity: never a key hash, never an integration's secrets, and never an
/// entity itself, so a column added to a table is not published until a record here says so.
/// </summary>
internal static class Responses
{
    public sealed record AccountResponse(Guid Id, string Name, string Language, string Plan, DateTimeOffset CreatedAt);

    public static AccountResponse Of(Account a) => new(a.Id.Value, a.Name, a.Language, a.Plan, a.CreatedAt);

    public sealed record CreatedAccountResponse(AccountResponse Account, string ApiKey);

    public sealed record ApiKeyResponse(
        Guid Id, string Name, string Prefix, string[] Scopes,
        DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

    public static ApiKeyResponse Of(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, k.Scopes, k.CreatedAt, k.LastUsedAt, k.RevokedAt, k.ExpiresAt);

    /// <param name="Key">The secret, shown this once: only its hash is stored.</param>
    public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);

    public sealed record AgentResponse(
        Guid AccountId, Guid Id, string Name, string Language, string SystemPrompt, string Voice, string LlmModel,
        int TopK, double MinSimilarity, bool Hybrid, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static AgentResponse Of(Agent a) => new(
        a.AccountId.Value, a.Id, a.Name, a.Language, a.SystemPrompt, a.Voice, a.LlmModel,
        a.TopK, a.MinSimilarity, a.Hybrid, a.Active, a.CreatedAt, a.UpdatedAt);

    public sealed record UserResponse(
        Guid AccountId, Guid Id, string Email, string Name, string Role, DateTimeOffset CreatedAt);

    public static UserResponse Of(User u) => new(u.AccountId.Value, u.Id, u.Email, u.Name, u.Role, u.CreatedAt);

    public sealed record ContactResponse(
        Guid Id, string Phone, string Name, JsonElement Metadata, DateTimeOffset CreatedAt);

    public static ContactResponse Of(Contact c) =>
        new(c.Id, c.Phone, c.Name, JsonDocument.Parse(c.Metadata).RootElement, c.CreatedAt);

    public sealed record IntegrationResponse(
        Guid Id, string Kind, string Name, JsonElement Settings, bool HasSecrets,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static IntegrationResponse Of(Integration i) => new(
        i.Id, i.Kind, i.Name, JsonDocument.Parse(i.Settings).RootElement, i.ProtectedSecrets is not null,
        i.CreatedAt, i.UpdatedAt);

    /// <summary>A call as <c>POST /v1/calls</c> answers it: what the next turn needs.</summary>
    public sealed record CallStartedResponse(
        Guid Id, Guid AgentId, Guid? ContactId, CallStatus Status, DateTimeOffset StartedAt);

    public static CallStartedResponse Started(Call c) => new(c.Id, c.AgentId, c.ContactId, c.Status, c.StartedAt);

    /// <param name="Turns">Null in lists and in the answer to <c>/end</c>; in order when one call is read.</param>
    public sealed record CallResponse(
        Guid Id, Guid AgentId, Guid? ContactId, CallDirection Direction, CallStatus Status,
        DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, IReadOnlyList<TurnResponse>? Turns);

    public static CallResponse Of(Call c, IReadOnlyList<CallTurn>? turns = null) => new(
        c.Id, c.AgentId, c.ContactId, c.Direction, c.Status,
        c.StartedAt, c.EndedAt, c.DurationSeconds, turns?.Select(Of).ToList());

    /// <param name="RewriteMs">The follow-up rewrite (the local rule, or the LLM under its budget); 0 when it did not run.</param>
    /// <param name="PrefetchMs">The interim-prefetch stage; 0 when the call sent no interim.</param>
    public sealed record LoggedTurnTimings(
        double AsrMs, double EmbedMs, double SearchMs, double LlmMs, double TtsMs, double TotalMs, double RewriteMs, double PrefetchMs);

    /// <param name="Sources">The cited sources as stored with the turn: chunk id, title, similarity.</param>
    /// <param name="StandaloneQuery">What retrieval ran on when the transcript was a follow-up rewritten from earlier turns.</param>
    /// <param name="KnowledgeVersion">The tenant's knowledge version the turn was answered from; null for turns logged before it was kept.</param>
    /// <param name="Rewrite">Which rewrite made it: <c>llm</c> or <c>local</c>.</param>
    /// <param name="Interims">Interim transcripts of the utterance that arrived before the final one; 0 when none was sent.</param>
    /// <param name="PrefetchMatch"><c>exact</c> or <c>similar</c> when an interim's prefetch gave the passages (no search ran); absent otherwise.</param>
    /// <param name="PrefetchTranscript">The interim's words whose prefetch answered; absent when none did.</param>
    public sealed record TurnResponse(
        Guid Id, int Ordinal, string Transcript, string Answer, Guid[] ChunkIds, JsonElement Sources,
        LoggedTurnTimings Timings, bool Cached, string[] Degraded, DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StandaloneQuery,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rewrite, long? KnowledgeVersion, int Interims,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrefetchMatch,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrefetchTranscript);

    public static TurnResponse Of(CallTurn t) => new(
        t.Id, t.Ordinal, t.Transcript, t.Answer, t.ChunkIds, JsonDocument.Parse(t.Sources).RootElement,
        new LoggedTurnTimings(t.AsrMs, t.EmbedMs, t.SearchMs, t.LlmMs, t.TtsMs, t.TotalMs, t.RewriteMs, t.PrefetchMs),
        t.Cached, t.Degraded, t.CreatedAt, t.StandaloneQuery, t.Rewrite, t.KnowledgeVersion, t.Interims, t.PrefetchMatch, t.PrefetchTranscript);
}
