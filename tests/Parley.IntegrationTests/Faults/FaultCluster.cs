using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.LocalPostgres;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Faults;

/// <summary>
/// The fault tests share one cluster of their own (a primary and one streaming standby on free
/// ports) and run one after another: they stop and restart its servers, which the shared test
/// cluster could never allow.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "Faults";
}

public sealed class FaultCluster : IAsyncLifetime
{
    public OwnCluster Own { get; private set; } = null!;
    public ReplicaInfo Replica { get; private set; } = null!;

    public LocalCluster Cluster => Own.Cluster;
    public string ConnectionString => Own.ConnectionString;

    public async Task InitializeAsync()
    {
        Own = await OwnCluster.StartAsync(durable: true);
        Replica = await Own.Cluster.AddReplicaAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await Own.DisposeAsync();

    /// <summary>An account through the API of <paramref name="app"/>; returns a client with its key.</summary>
    public static async Task<(Guid Id, HttpClient Client)> NewTenantAsync(HttpClient admin, Func<HttpClient> client, string name)
    {
        var response = await admin.PostAsJsonAsync("/v1/accounts", new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var tenant = client();
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("apiKey").GetString());
        return (body.GetProperty("account").GetProperty("id").GetGuid(), tenant);
    }

    /// <summary>Uploads the first <paramref name="count"/> demo documents.</summary>
    public static async Task UploadDemoAsync(HttpClient client, int count)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Knowledge.KnowledgeApiTests.RepoRoot(), "demo", "knowledge"), "*.md").Order(StringComparer.Ordinal).Take(count))
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", Path.GetFileName(file) } };
            var response = await client.PostAsync("/v1/knowledge/documents", form);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
