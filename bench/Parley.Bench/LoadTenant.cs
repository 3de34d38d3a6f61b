using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>The tenant a load run calls as: an account with its key and an agent over a knowledge base.</summary>
public sealed record BenchTenant(Guid AccountId, string ApiKey, Guid AgentId);

/// <summary>
/// Makes the load benchmark's tenant through the API (an account, the demo knowledge base, one agent),
/// once: its ids are kept in a file and used again while its key still opens the agent.
/// </summary>
public static class LoadTenant
{
    public const string AccountName = "Parley load bench";

    public static async Task<BenchTenant> EnsureAsync(Uri server, string adminKey, string cacheFile, string knowledgeFolder, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        if (File.Exists(cacheFile) && JsonSerializer.Deserialize<BenchTenant>(await File.ReadAllTextAsync(cacheFile, cancellationToken), JsonSerializerOptions.Web) is { } known)
        {
            using var check = new HttpRequestMessage(HttpMethod.Get, $"/v1/agents/{known.AgentId}");
            check.Headers.Authorization = new AuthenticationHeaderValue("Bearer", known.ApiKey);
            using var response = await http.SendAsync(check, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return known;
            }
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var created = await ReadAsync(await http.PostAsJsonAsync("/v1/accounts", new { name = AccountName }, cancellationToken), "create the bench account", cancellationToken);
        var key = created.GetProperty("apiKey").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var file in Directory.GetFiles(knowledgeFolder, "*.md").Order(StringComparer.Ordinal))
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken)), "file", Path.GetFileName(file) } };
            await ReadAsync(await http.PostAsync(new Uri("/v1/knowledge/documents?async=false", UriKind.Relative), form, cancellationToken), $"upload {Path.GetFileName(file)}", cancellationToken);
        }
        var agent = await ReadAsync(await http.PostAsJsonAsync("/v1/agents", new { name = "Bench receptionist", topK = 3, minSimilarity = 0.3 }, cancellationToken), "create the bench agent", cancellationToken);
        var tenant = new BenchTenant(created.GetProperty("account").GetProperty("id").GetGuid(), key, agent.GetProperty("id").GetGuid());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cacheFile))!);
        await File.WriteAllTextAsync(cacheFile, JsonSerializer.Serialize(tenant, JsonSerializerOptions.Web), cancellationToken);
        return tenant;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
    }
}
