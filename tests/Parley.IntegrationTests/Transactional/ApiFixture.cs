using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;

namespace Parley.IntegrationTests.Transactional;

/// <summary>One in-process server on a cloned database for a test class, plus helpers to make tenants.</summary>
public class ApiFixture : DatabaseFixture
{
    public ParleyAppFactory App { get; private set; } = null!;

    /// <summary>Extra server settings of a test class's fixture.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        App = new ParleyAppFactory(ConnectionString, Settings);
        _ = App.Server;
    }

    public override async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await base.DisposeAsync();
    }

    public HttpClient Client(string? key)
    {
        var client = App.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public HttpClient Admin => Client(ParleyAppFactory.AdminKey);

    /// <summary>Creates an account through the API; returns its id and key.</summary>
    public async Task<(Guid Id, string Key, HttpClient Client)> NewTenantAsync(string name = "Tenant")
    {
        var response = await Admin.PostAsJsonAsync("/v1/accounts", new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("apiKey").GetString()!;
        return (body.GetProperty("account").GetProperty("id").GetGuid(), key, Client(key));
    }
}
