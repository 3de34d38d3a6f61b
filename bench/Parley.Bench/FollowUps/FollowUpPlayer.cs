using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Parley.Bench.FollowUps;

/// <summary>What one dialogue's call gave: whether each turn's top-3 sources held the expected document, and the rewrite.</summary>
internal sealed record PlayedDialogue(
    FollowUpDialogue Dialogue, bool FirstHit, bool FollowUpHit, IReadOnlyList<string> FollowUpSources, string? StandaloneQuery,
    bool FollowUpCached, IReadOnlyList<string> Degraded, IReadOnlyList<double> RewriteMs);

/// <summary>
/// Plays each dialogue as a real call over the API, as a phone line does: <c>POST /v1/calls</c>, the two
/// turns as text (<c>speak=false</c>: speech is beside the point), then <c>end</c>. The verdicts come from
/// the sources the server returned, the rewrite's cost from its own <c>timings.rewriteMs</c>.
/// </summary>
internal sealed class FollowUpPlayer(HttpClient http, IReadOnlyDictionary<string, BenchTenant> tenants)
{
    /// <summary>Sources a phone turn cites (the agents answer from the top 3).</summary>
    public const int TopK = 3;

    public async Task<IReadOnlyList<PlayedDialogue>> PlayAsync(IReadOnlyList<FollowUpDialogue> dialogues, CancellationToken cancellationToken)
    {
        var played = new List<PlayedDialogue>(dialogues.Count);
        foreach (var d in dialogues)
        {
            played.Add(await PlayAsync(d, cancellationToken));
        }
        return played;
    }

    public async Task<PlayedDialogue> PlayAsync(FollowUpDialogue dialogue, CancellationToken cancellationToken)
    {
        var tenant = tenants[dialogue.Corpus];
        var call = await SendAsync(tenant, HttpMethod.Post, "/v1/calls", new { agentId = tenant.AgentId, direction = "in" }, cancellationToken);
        var id = call.GetProperty("id").GetGuid();
        var first = await SendAsync(tenant, HttpMethod.Post, $"/v1/calls/{id}/turns?speak=false", new { transcript = dialogue.First }, cancellationToken);
        var second = await SendAsync(tenant, HttpMethod.Post, $"/v1/calls/{id}/turns?speak=false", new { transcript = dialogue.FollowUp }, cancellationToken);
        await SendAsync(tenant, HttpMethod.Post, $"/v1/calls/{id}/end", null, cancellationToken);
        var sources = Sources(second);
        return new PlayedDialogue(dialogue,
            Sources(first).Contains(dialogue.Answer, StringComparer.Ordinal), sources.Contains(dialogue.Answer, StringComparer.Ordinal), sources,
            second.TryGetProperty("standaloneQuery", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null,
            second.GetProperty("cached").GetBoolean(),
            [.. Degraded(first), .. Degraded(second)],
            [RewriteMs(first), RewriteMs(second)]);
    }

    private static List<string> Sources(JsonElement turn) =>
        turn.GetProperty("sources").EnumerateArray().Take(TopK).Select(s => s.GetProperty("title").GetString() ?? "").ToList();

    private static IEnumerable<string> Degraded(JsonElement turn) => turn.GetProperty("degraded").EnumerateArray().Select(d => d.GetString() ?? "");

    private static double RewriteMs(JsonElement turn) =>
        turn.GetProperty("timings").TryGetProperty("rewriteMs", out var ms) ? ms.GetDouble() : 0;

    private async Task<JsonElement> SendAsync(BenchTenant tenant, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}
