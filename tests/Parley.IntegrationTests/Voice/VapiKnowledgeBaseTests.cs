using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.IntegrationTests.Calls;
using Xunit;

namespace Parley.IntegrationTests.Voice;

public sealed class VapiKnowledgeBaseTests(VoicePlatformFixture api) : IClassFixture<VoicePlatformFixture>
{
    private const string Secret = "vapi-test-secret-0123";

    internal static string Body(string type, string question) => JsonSerializer.Serialize(new
    {
        message = new
        {
            type,
            messages = new object[]
            {
                new { role = "assistant", content = "Hello, Harbor Lights Bistro." },
                new { role = "user", content = question },
            },
        },
    });

    internal static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private async Task<HttpResponseMessage> PostAsync(Guid integration, string body, string? signature = null, string? secret = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/integrations/vapi/{integration}/knowledge-base")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (signature is not null)
        {
            request.Headers.Add("X-Vapi-Signature", signature);
        }
        if (secret is not null)
        {
            request.Headers.Add("X-Vapi-Secret", secret);
        }
        using var anonymous = api.Client(null);
        return await anonymous.SendAsync(request);
    }

    internal static async Task<Guid> CreateIntegrationAsync(HttpClient tenant, string secret)
    {
        var created = await tenant.PostAsJsonAsync("/v1/integrations", new { kind = "vapi", name = "Vapi", settings = new { topK = 3 }, secrets = new { secret } });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_signed_request_gets_the_tenants_documents_and_anything_unsigned_or_wrongly_signed_is_refused()
    {
        var tenant = await api.NewTenantAsync();
        await CallTests.SetUpAsync(tenant.Client);
        var integration = await CreateIntegrationAsync(tenant.Client, Secret);
        var body = Body("knowledge-base-request", "Is there parking near the restaurant?");

        var signed = await PostAsync(integration, body, Sign(Secret, body));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var documents = (await signed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents");
        Assert.Equal(3, documents.GetArrayLength());
        Assert.Contains("Pier Road", documents[0].GetProperty("content").GetString());
        Assert.True(documents[0].GetProperty("similarity").GetDouble() > 0.3);
        Assert.True(Guid.TryParse(documents[0].GetProperty("uuid").GetString(), out _));

        var bySecret = await PostAsync(integration, body, secret: Secret);
        Assert.Equal(HttpStatusCode.OK, bySecret.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(integration, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(integration, body, Sign("another-secret", body))).StatusCode);
        // A signature of another body: the body was changed on the way.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(integration, body, Sign(Secret, body + " "))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(integration, body, "sha256=not-hex")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(integration, body, secret: "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Guid.NewGuid(), body, Sign(Secret, body))).StatusCode);

        var other = Body("status-update", "Is there parking near the restaurant?");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(integration, other, Sign(Secret, other))).StatusCode);
    }

    [Fact]
    public async Task The_integration_decides_the_tenant_so_another_tenants_knowledge_never_answers()
    {
        var owner = await api.NewTenantAsync("Owner");
        await CallTests.SetUpAsync(owner.Client);
        var empty = await api.NewTenantAsync("Empty");
        var integration = await CreateIntegrationAsync(empty.Client, Secret);
        var body = Body("knowledge-base-request", "Is there parking near the restaurant?");
        var answered = await PostAsync(integration, body, Sign(Secret, body));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(0, (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").GetArrayLength());
        // A webhook integration with the same secret is not a Vapi one.
        var webhook = await empty.Client.PostAsJsonAsync("/v1/integrations", new { kind = "webhook", name = "Hook", secrets = new { secret = Secret } });
        var hook = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(hook, body, Sign(Secret, body))).StatusCode);
    }

    /// <summary>The whole conversation: what Vapi sends, oldest first.</summary>
    private static string Conversation(params string[] userMessages) => JsonSerializer.Serialize(new
    {
        message = new
        {
            type = "knowledge-base-request",
            messages = userMessages.SelectMany(m => new object[]
            {
                new { role = "assistant", content = "Harbor Lights Bistro, how can I help?" },
                new { role = "user", content = m },
            }).ToArray(),
        },
    });

    [Fact(Timeout = 120_000)]
    public async Task A_follow_up_is_searched_as_its_standalone_question_so_the_conversation_decides_what_answers()
    {
        var tenant = await api.NewTenantAsync();
        await CallTests.SetUpAsync(tenant.Client);
        var integration = await CreateIntegrationAsync(tenant.Client, Secret);
        async Task<string> FirstAsync(string body)
        {
            var answered = await PostAsync(integration, body, Sign(Secret, body));
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            return (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("content").GetString()!;
        }

        // Alone, the follow-up is about opening days; after the dog question it is about dogs on Sundays.
        Assert.DoesNotContain("dogs", await FirstAsync(Conversation("And what about on Sundays?")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("dogs", await FirstAsync(Conversation("Can I bring my dog?", "And what about on Sundays?")), StringComparison.OrdinalIgnoreCase);
        // A follow-up of a follow-up keeps the first topic; a blank last message still finds nothing.
        Assert.Contains("dogs", await FirstAsync(Conversation("Can I bring my dog?", "And what about on Sundays?", "And in the evening?")), StringComparison.OrdinalIgnoreCase);
        var blank = Conversation("Can I bring my dog?", " ");
        var none = await PostAsync(integration, blank, Sign(Secret, blank));
        Assert.Equal(0, (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents").GetArrayLength());
    }
}
