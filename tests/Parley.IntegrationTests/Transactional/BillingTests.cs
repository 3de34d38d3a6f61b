using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Domain;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Xunit;

namespace Parley.IntegrationTests.Transactional;

/// <summary>
/// Usage in a period, the invoice priced by the account's plan, and payments that settle it only when
/// money received covers the total. Payments are recorded with the admin key acting for the account
/// (the platform records them; a tenant key may not).
/// </summary>
public sealed class BillingTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private HttpClient ActingFor(Guid account)
    {
        var client = api.Admin;
        client.DefaultRequestHeaders.Add("X-Parley-Account", account.ToString());
        return client;
    }

    private async Task UsageAsync(Guid account, params (string Kind, decimal Quantity, DateTimeOffset At)[] records)
    {
        var store = api.App.Services.GetRequiredService<CallLogStore>();
        var usage = records.Select(r => new UsageRecord { AccountId = new AccountId(account), Id = Guid.CreateVersion7(), Kind = r.Kind, Quantity = r.Quantity, OccurredAt = r.At }).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await store.AppendAsync([], usage, timeout.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_invoice_prices_the_periods_usage_by_plan_and_is_paid_only_when_succeeded_payments_cover_it()
    {
        var a = await api.NewTenantAsync("Billed");
        var b = await api.NewTenantAsync("Other");
        Assert.Equal(HttpStatusCode.OK, (await api.Admin.PatchAsJsonAsync($"/v1/accounts/{a.Id}", new { plan = "growth" })).StatusCode);
        await UsageAsync(a.Id,
            (BillingService.CallSeconds, 100m, Start.AddDays(1)),
            (BillingService.CallSeconds, 20m, End.AddSeconds(-1)),
            (BillingService.LlmTokens, 3000m, Start.AddDays(2)),
            (BillingService.EmbeddingTokens, 50_000m, Start),
            // Outside the period (the end is exclusive): neither listed for it nor billed.
            (BillingService.CallSeconds, 999m, End),
            (BillingService.LlmTokens, 999m, Start.AddSeconds(-1)));
        await UsageAsync(b.Id, (BillingService.CallSeconds, 500m, Start.AddDays(1)));

        var usage = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/usage?from={Uri.EscapeDataString(Start.ToString("O"))}&to={Uri.EscapeDataString(End.ToString("O"))}");
        var listed = usage.GetProperty("items").EnumerateArray().Select(u => (u.GetProperty("kind").GetString(), u.GetProperty("quantity").GetDecimal())).ToList();
        Assert.Equal(4, listed.Count);
        Assert.Equal(120m, listed.Where(u => u.Item1 == BillingService.CallSeconds).Sum(u => u.Item2));
        var bUsage = (await b.Client.GetFromJsonAsync<JsonElement>("/v1/usage")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(500m, Assert.Single(bUsage).GetProperty("quantity").GetDecimal());

        var created = await a.Client.PostAsJsonAsync("/v1/invoices", new { periodStart = Start, periodEnd = End });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = invoice.GetProperty("id").GetGuid();
        var lines = invoice.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("kind").GetString()!, l => l.GetProperty("amount").GetDecimal());
        // growth: 0.0015 per call second, 0.00002 per 1 000 embedding tokens, 0.0008 per 1 000 llm tokens.
        Assert.Equal(0.18m, lines[BillingService.CallSeconds]);
        Assert.Equal(0.001m, lines[BillingService.EmbeddingTokens]);
        Assert.Equal(0.0024m, lines[BillingService.LlmTokens]);
        Assert.Equal(0.1834m, invoice.GetProperty("total").GetDecimal());
        Assert.Equal("open", invoice.GetProperty("status").GetString());

        // Another tenant neither sees nor pays it.
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.GetAsync($"/v1/invoices/{id}")).StatusCode);
        Assert.DoesNotContain((await b.Client.GetFromJsonAsync<JsonElement>("/v1/invoices")).GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await ActingFor(b.Id).PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1m })).StatusCode);

        var platform = ActingFor(a.Id);
        async Task<string> StatusAsync() => (await a.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}")).GetProperty("invoice").GetProperty("status").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 0m })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1m, currency = "EUR" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1m, status = "lost" })).StatusCode);
        // Money promised or refused does not settle it, nor does part of the total.
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1m, status = "pending" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 1m, status = "failed" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 0.1m, externalReference = "ch_1" })).StatusCode);
        Assert.Equal("open", await StatusAsync());
        Assert.Equal(HttpStatusCode.Created, (await platform.PostAsJsonAsync($"/v1/invoices/{id}/payments", new { amount = 0.0834m, externalReference = "ch_2" })).StatusCode);
        Assert.Equal("paid", await StatusAsync());

        var read = await a.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}");
        var payments = read.GetProperty("payments").EnumerateArray().Select(p => (p.GetProperty("status").GetString(), p.GetProperty("amount").GetDecimal())).ToList();
        Assert.Equal([("pending", 1m), ("failed", 1m), ("succeeded", 0.1m), ("succeeded", 0.0834m)], payments);
        Assert.Contains((await a.Client.GetFromJsonAsync<JsonElement>("/v1/invoices")).GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
    }
}
