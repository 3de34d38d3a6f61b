using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.IntegrationTests.Transactional;
using Parley.Server.Health;
using Parley.Testing;
using Xunit;

namespace Parley.IntegrationTests.Authority;

/// <summary>A scrape token, and per-account labels off.</summary>
public sealed class PrivateMetricsFixture : ApiFixture
{
    public const string Token = "scrape-token-0123456789";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Monitor:MetricsToken"] = Token,
        ["Parley:Monitor:AccountLabels"] = "false",
    };
}

public sealed class PrivateMonitoringTests(PrivateMetricsFixture api) : IClassFixture<PrivateMetricsFixture>
{
    [Fact]
    public async Task Metrics_answer_only_the_scrape_token_or_the_admin_key_and_name_no_account_when_labels_are_off()
    {
        var tenant = await api.NewTenantAsync("Unlabelled");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsJsonAsync("/v1/knowledge/search", new { query = "opening hours" })).StatusCode);

        var anonymous = await api.Client(null).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client("wrong-token").GetAsync("/metrics")).StatusCode);

        var scraped = await api.Client(PrivateMetricsFixture.Token).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        var text = await scraped.Content.ReadAsStringAsync();
        Assert.Contains("parley_search_duration", text);
        Assert.Contains("parley_search_strategy=", text);
        Assert.DoesNotContain("parley_account_id", text);
        Assert.DoesNotContain(tenant.Id.ToString(), text);
        Assert.Equal(HttpStatusCode.OK, (await api.Admin.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_health_says_healthy_or_not_without_error_text_and_the_admin_key_gets_the_details()
    {
        var anonymous = await api.Client(null).GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("healthy", anonymous.GetProperty("status").GetString());
        Assert.All(anonymous.GetProperty("checks").EnumerateArray(), c =>
        {
            Assert.Equal(JsonValueKind.Null, c.GetProperty("description").ValueKind);
            Assert.Equal(JsonValueKind.Null, c.GetProperty("data").ValueKind);
        });
        var health = await api.Client(null).GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());

        var admin = await api.Admin.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Contains(admin.GetProperty("checks").EnumerateArray(), c => c.GetProperty("description").ValueKind == JsonValueKind.String);
    }
}

/// <summary>The database unreachable: anonymous /health says so without the driver's words.</summary>
public sealed class UnreachableHealthTests
{
    [Fact]
    public async Task Health_of_an_unreachable_database_is_a_503_without_error_text_unless_the_admin_key_asks()
    {
        var port = Parley.LocalPostgres.LocalCluster.FreePort();
        await using var app = new ParleyAppFactory($"Host=127.0.0.1;Port={port};Database=none;Username=none;Password=none;Timeout=1",
            new Dictionary<string, string?> { ["Parley:Database:Migrate"] = "false" });
        var anonymous = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, anonymous.StatusCode);
        var body = await anonymous.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unreachable", body.GetProperty("database").GetString());
        // What is wrong, in words of our own; never the driver's exception text.
        Assert.Equal(HealthEndpoints.UnreachableReason, body.GetProperty("reason").GetString());

        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ParleyAppFactory.AdminKey);
        var detailed = await (await admin.GetAsync("/health")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(HealthEndpoints.UnreachableReason, detailed.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(detailed.GetProperty("reason").GetString()));
    }
}
