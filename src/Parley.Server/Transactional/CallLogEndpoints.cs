using Parley.Domain;
using Parley.Server.Auth;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using static Parley.Server.Transactional.Responses;

namespace Parley.Server.Transactional;

/// <summary>Reading call logs, usage and invoices.</summary>
internal static class CallLogEndpoints
{
    public sealed record ContactRef(string? Phone);
    public sealed record StartCallRequest(Guid? AgentId, ContactRef? Contact, string? Direction);
    public sealed record InvoiceRequest(DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd);
    public sealed record PaymentRequest(decimal? Amount, string? Currency, string? Status, string? ExternalReference);

    public static IEndpointRouteBuilder MapCallLogEndpoints(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/v1/calls").RequireTenant().WithTags("Calls");
        calls.MapGet("/", async (Guid? agentId, Guid? contactId, string? status, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? after, CallService s, CancellationToken ct) =>
        {
            var page = await s.ListAsync(new CallFilter(agentId, contactId, status, from, to), PageRequest.Parse(limit, after), ct);
            return new ListResponse<CallResponse>(page.Items.Select(c => Of(c)).ToList(), page.Next);
        });
        calls.MapPost("/", async (StartCallRequest body, CallService s, CancellationToken ct) =>
        {
            var call = await s.StartAsync(body.AgentId, body.Contact?.Phone, body.Direction, ct);
            return Results.Created($"/v1/calls/{call.Id}", new { id = call.Id, agentId = call.AgentId, contactId = call.ContactId, status = call.Status, startedAt = call.StartedAt });
        });
        calls.MapPost("/{id:guid}/end", async (Guid id, CallService s, CancellationToken ct) => Of(await s.EndAsync(id, ct)));
        calls.MapGet("/{id:guid}", async (Guid id, CallService s, CancellationToken ct) =>
        {
            var call = await s.GetAsync(id, ct);
            return Of(call.Call, call.Turns);
        });

        var billing = app.MapGroup("/v1").RequireTenant().WithTags("Billing");
        billing.MapGet("/usage", async (DateTimeOffset? from, DateTimeOffset? to, BillingService s, CancellationToken ct) =>
            new { items = await s.UsageAsync(from, to, ct) });
        billing.MapGet("/invoices", async (BillingService s, CancellationToken ct) => new { items = await s.InvoicesAsync(ct) });
        billing.MapPost("/invoices", async (InvoiceRequest body, BillingService s, CancellationToken ct) =>
        {
            var invoice = await s.GenerateInvoiceAsync(body.PeriodStart, body.PeriodEnd, ct);
            return Results.Created($"/v1/invoices/{invoice.Id}", invoice);
        });
        billing.MapGet("/invoices/{id:guid}", async (Guid id, BillingService s, CancellationToken ct) =>
        {
            var (invoice, payments) = await s.InvoiceAsync(id, ct);
            return new { invoice, payments };
        });
        billing.MapPost("/invoices/{id:guid}/payments", async (Guid id, PaymentRequest body, BillingService s, CancellationToken ct) =>
        {
            var payment = await s.AddPaymentAsync(id, body.Amount, body.Currency, body.Status, body.ExternalReference, ct);
            return Results.Created($"/v1/invoices/{id}", payment);
        });
        return app;
    }
}
