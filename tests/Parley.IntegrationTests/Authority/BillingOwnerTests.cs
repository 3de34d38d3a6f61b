using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Calls.CallLog;
using Parley.IntegrationTests.Calls;
using Parley.IntegrationTests.Transactional;
using Xunit;

namespace Parley.IntegrationTests.Authority;

/// <summary>Calls idle for two seconds end, swept every half second.</summary>
public sealed class IdleCallsFixture : ApiFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Parley:Calls:IdleTimeoutSeconds"] = "2",
        ["Parley:Calls:IdleSweepSeconds"] = "0.5",
        ["Parley:Calls:SearchBudgetMs"] = "30000",
        ["Parley:Calls:LlmBudgetMs"] = "30000",
        ["Parley:Calls:TurnBudgetMs"] = "100000",
    };
}

public sealed class BillingOwnerTests(IdleCallsFixture api) : IClassFixture<IdleCallsFixture>
{
    private async Task<JsonElement[]> UsageAsync(HttpClient client, string kind)
    {
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);
        var usage = await client.GetFromJsonAsync<JsonElement>("/v1/usage");
        return [.. usage.GetProperty("items").EnumerateArray().Where(u => u.GetProperty("kind").GetString() == kind)];
    }

    [Fact]
    public async Task Only_the_platform_records_payments_so_a_tenant_cannot_mark_its_own_invoice_paid()
    {
        var tenant = await api.NewTenantAsync("Payer");
        var invoice = await (await tenant.Client.PostAsJsonAsync("/v1/invoices",
            new { periodStart = DateTimeOffset.UtcNow.AddDays(-1), periodEnd = DateTimeOffset.UtcNow.AddDays(1) })).Content.ReadFromJsonAsync<JsonElement>();
        var id = invoice.GetProperty("id").GetGuid();

        var refused = await tenant.Client.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1000m, status = "succeeded" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var open = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}");
        Assert.Equal("open", open.GetProperty("invoice").GetProperty("status").GetString());
        Assert.Empty(open.GetProperty("payments").EnumerateArray());

        var platform = api.Admin;
        platform.DefaultRequestHeaders.Add("X-Parley-Account", tenant.Id.ToString());
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1000m })).StatusCode);
        var paid = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}");
        Assert.Equal("paid", paid.GetProperty("invoice").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_call_left_open_ends_after_the_idle_timeout_billed_up_to_its_last_turn_and_only_once()
    {
        var tenant = await api.NewTenantAsync("Forgetful");
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "Is there parking?" })).StatusCode);
        await api.App.Services.GetRequiredService<CallLogWriter>().FlushAsync(CancellationToken.None);

        JsonElement read;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the idle call was never ended");
            await Task.Delay(200);
            read = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/calls/{call}");
        }
        while (read.GetProperty("status").GetString() == "active");

        Assert.Equal("ended", read.GetProperty("status").GetString());
        var started = read.GetProperty("startedAt").GetDateTimeOffset();
        var lastTurn = read.GetProperty("turns").EnumerateArray().Max(t => t.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(lastTurn, read.GetProperty("endedAt").GetDateTimeOffset());
        var seconds = read.GetProperty("durationSeconds").GetDouble();
        Assert.Equal((lastTurn - started).TotalSeconds, seconds, 2);

        // A late /end changes nothing and bills nothing more; a turn is refused.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsync($"/v1/calls/{call}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = "Hello?" })).StatusCode);
        var billed = (await UsageAsync(tenant.Client, "call_seconds")).Where(u => u.GetProperty("callId").GetGuid() == call).ToList();
        Assert.Single(billed);
        Assert.Equal((decimal)seconds, billed[0].GetProperty("quantity").GetDecimal());
    }

    [Fact]
    public async Task A_call_ended_by_the_platform_is_billed_once_and_never_swept_again()
    {
        var tenant = await api.NewTenantAsync("Tidy");
        var agent = await CallTests.SetUpAsync(tenant.Client);
        var call = await CallTests.StartCallAsync(tenant.Client, agent);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsync($"/v1/calls/{call}/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsync($"/v1/calls/{call}/end", null)).StatusCode);
        // Past the idle timeout: one sweep of our own (the background one may have run too).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await api.App.Services.GetRequiredService<Parley.Calls.Lifecycle.IdleCallSweeper>().SweepOnceAsync(CancellationToken.None);
        Assert.Single(await UsageAsync(tenant.Client, "call_seconds"), u => u.GetProperty("callId").GetGuid() == call);
    }

    [Fact]
    public async Task A_document_meters_the_embedding_of_its_chunks_and_a_turn_the_embedding_of_its_question()
    {
        var tenant = await api.NewTenantAsync("Metered");
        var text = string.Join("\n\n", Enumerable.Range(0, 20).Select(i => $"Paragraph {i}: the shop opens at nine and closes at five on weekdays."));
        var upload = await tenant.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text });
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var document = (await UsageAsync(tenant.Client, "embedding_tokens")).Where(u => u.GetProperty("callId").ValueKind == JsonValueKind.Null).ToList();
        Assert.Single(document);
        Assert.InRange(document[0].GetProperty("quantity").GetDecimal(), text.Length / 5m, text.Length);
        // The same content again writes nothing, and bills nothing.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsJsonAsync("/v1/knowledge/documents", new { title = "Hours", text })).StatusCode);
        Assert.Single(await UsageAsync(tenant.Client, "embedding_tokens"), u => u.GetProperty("callId").ValueKind == JsonValueKind.Null);

        var agent = await (await tenant.Client.PostAsJsonAsync("/v1/agents", new { name = "Desk" })).Content.ReadFromJsonAsync<JsonElement>();
        var call = await CallTests.StartCallAsync(tenant.Client, agent.GetProperty("id").GetGuid());
        const string question = "When does the shop open on weekdays?";
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.PostAsJsonAsync($"/v1/calls/{call}/turns?speak=false", new { transcript = question })).StatusCode);
        var turn = (await UsageAsync(tenant.Client, "embedding_tokens")).Where(u => u.GetProperty("callId").ValueKind == JsonValueKind.String
            && u.GetProperty("callId").GetGuid() == call).ToList();
        Assert.Single(turn);
        Assert.Equal((question.Length + 3) / 4, turn[0].GetProperty("quantity").GetDecimal());
        // Not asked to speak: no characters spoken are billed.
        Assert.Empty(await UsageAsync(tenant.Client, "tts_characters"));
    }
}
