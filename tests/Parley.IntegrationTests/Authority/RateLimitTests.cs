using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Authority;

/// <summary>Buckets that do not refill within a test: three requests a key, five an account.</summary>
public sealed class TightLimitsFixture : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:RateLimits:KeyPermitsPerSecond"] = "0.01",
        ["Parley:RateLimits:KeyBurst"] = "3",
        ["Parley:RateLimits:AccountPermitsPerSecond"] = "0.01",
        ["Parley:RateLimits:AccountBurst"] = "5",
    };
}

public sealed class RateLimitTests(TightLimitsFixture api) : IClassFixture<TightLimitsFixture>
{
    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(retryAfter, problem.GetProperty("retryAfterSeconds").GetInt32());
    }

    [Fact]
    public async Task A_key_over_its_rate_and_an_account_over_its_own_get_429_with_retry_after_while_others_pass()
    {
        // The admin key is not limited: it makes the accounts and their second keys.
        var admin = api.Admin;
        var a = await api.NewTenantAsync("Busy");
        var other = await api.NewTenantAsync("Neighbour");
        var platform = api.Admin;
        platform.DefaultRequestHeaders.Add("X-Parley-Account", a.Id.ToString());
        var secondKey = (await (await platform.PostAsJsonAsync("/v1/api-keys", new { name = "second" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("key").GetString();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync("/v1/agents")).StatusCode);
        }
        await AssertLimitedAsync(await a.Client.GetAsync("/v1/agents"));

        // The account's other key has its own bucket, but the account's holds only two more.
        var b = api.Client(secondKey);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/v1/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/v1/agents")).StatusCode);
        await AssertLimitedAsync(await b.GetAsync("/v1/agents"));

        // Another account, and the platform, are not held up.
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync("/v1/agents")).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/accounts")).StatusCode);
        }
    }
}
