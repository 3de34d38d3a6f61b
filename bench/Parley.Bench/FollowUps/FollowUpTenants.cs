using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Parley.Bench.FollowUps;

/// <summary>A knowledge base to load: documents as files (uploaded as a user would) or as titled texts.</summary>
internal sealed record CorpusToLoad(string Name, IReadOnlyList<string> Files, IReadOnlyList<CorpusSection> Sections);

/// <summary>
/// The benchmark's tenants, one per corpus, made through the API (an account, its documents, one agent
/// answering from the top 3). Kept in a file under <c>PARLEY_HOME</c> by a fingerprint of the corpus, so
/// a second run on the same knowledge neither ingests it again nor leaves another copy behind.
/// </summary>
internal static class FollowUpTenants
{
    public static async Task<BenchTenant> EnsureAsync(Uri server, string adminKey, string cacheFile, CorpusToLoad corpus,
        Action<string> progress, CancellationToken cancellationToken)
    {
        var key = $"{corpus.Name}:{Fingerprint(corpus)}";
        var known = File.Exists(cacheFile)
            ? JsonSerializer.Deserialize<Dictionary<string, BenchTenant>>(await File.ReadAllTextAsync(cacheFile, cancellationToken), JsonSerializerOptions.Web) ?? []
            : [];
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        if (known.TryGetValue(key, out var tenant))
        {
            using var check = new HttpRequestMessage(HttpMethod.Get, $"/v1/agents/{tenant.AgentId}");
            check.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
            using var response = await http.SendAsync(check, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                progress($"{corpus.Name}: the tenant of an earlier run, same knowledge");
                return tenant;
            }
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var created = await ReadAsync(await http.PostAsJsonAsync("/v1/accounts", new { name = $"Parley follow-up bench ({corpus.Name})" }, cancellationToken),
            "create a bench account", cancellationToken);
        var apiKey = created.GetProperty("apiKey").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        progress($"{corpus.Name}: ingesting {corpus.Files.Count + corpus.Sections.Count} documents");
        foreach (var file in corpus.Files)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file, cancellationToken)), "file", Path.GetFileName(file) } };
            await ReadAsync(await http.PostAsync(new Uri("/v1/knowledge/documents?async=false", UriKind.Relative), form, cancellationToken),
                $"upload {Path.GetFileName(file)}", cancellationToken);
        }
        foreach (var section in corpus.Sections)
        {
            await ReadAsync(await http.PostAsJsonAsync("/v1/knowledge/documents?async=false", new { title = section.Title, text = section.Text }, cancellationToken),
                $"upload '{section.Title}'", cancellationToken);
        }
        var agent = await ReadAsync(await http.PostAsJsonAsync("/v1/agents", new { name = $"Follow-up bench ({corpus.Name})", topK = 3, minSimilarity = 0.3 }, cancellationToken),
            "create the bench agent", cancellationToken);
        tenant = new BenchTenant(created.GetProperty("account").GetProperty("id").GetGuid(), apiKey, agent.GetProperty("id").GetGuid());
        known[key] = tenant;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cacheFile))!);
        await File.WriteAllTextAsync(cacheFile, JsonSerializer.Serialize(known, JsonSerializerOptions.Web), cancellationToken);
        return tenant;
    }

    private static string Fingerprint(CorpusToLoad corpus)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in corpus.Files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        foreach (var s in corpus.Sections)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{s.Title}\n{s.Text}\n"));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    internal static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
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
