using System.Text.Json;
using Parley.Transactional.Accounts;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Calls;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;

namespace Parley.Server.Transactional;

/// <summary>What the API shows of each entity: never a key hash, never an integration's secrets.</summary>
internal static class Responses
{
    public sealed record ListResponse<T>(IReadOnlyList<T> Items, string? Next);

    public sealed record AccountResponse(Guid Id, string Name, string Language, string Plan, DateTimeOffset CreatedAt);
    public static AccountResponse Of(Account a) => new(a.Id.Value, a.Name, a.Language, a.Plan, a.CreatedAt);

    public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
    public static ApiKeyResponse Of(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.Scopes, k.CreatedAt, k.LastUsedAt, k.RevokedAt);

    public sealed record ContactResponse(Guid Id, string Phone, string Name, JsonElement Metadata, DateTimeOffset CreatedAt);
    public static ContactResponse Of(Contact c) => new(c.Id, c.Phone, c.Name, JsonDocument.Parse(c.Metadata).RootElement, c.CreatedAt);

    public sealed record IntegrationResponse(Guid Id, string Kind, string Name, JsonElement Settings, bool HasSecrets, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
    public static IntegrationResponse Of(Integration i) => new(i.Id, i.Kind, i.Name, JsonDocument.Parse(i.Settings).RootElement, i.ProtectedSecrets is not null, i.CreatedAt, i.UpdatedAt);

    public sealed record CallResponse(Guid Id, Guid AgentId, Guid? ContactId, string Direction, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, IReadOnlyList<TurnResponse>? Turns);
    public sealed record TurnTimings(double AsrMs, double EmbedMs, double SearchMs, double LlmMs, double TtsMs, double TotalMs);
    public sealed record TurnResponse(Guid Id, int Ordinal, string Transcript, string Answer, Guid[] ChunkIds, JsonElement Sources, TurnTimings Timings, bool Cached, string[] Degraded, DateTimeOffset CreatedAt);

    public static CallResponse Of(Call c, IReadOnlyList<CallTurn>? turns = null) =>
        new(c.Id, c.AgentId, c.ContactId, c.Direction, c.Status, c.StartedAt, c.EndedAt, c.DurationSeconds, turns?.Select(Of).ToList());

    public static TurnResponse Of(CallTurn t) => new(t.Id, t.Ordinal, t.Transcript, t.Answer, t.ChunkIds, JsonDocument.Parse(t.Sources).RootElement,
        new TurnTimings(t.AsrMs, t.EmbedMs, t.SearchMs, t.LlmMs, t.TtsMs, t.TotalMs), t.Cached, t.Degraded, t.CreatedAt);
}
