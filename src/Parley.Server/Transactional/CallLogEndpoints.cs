using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Calls.Interim;
using Parley.Domain;
using Parley.Knowledge.Search;
using Parley.Server.Calls;
using Parley.Server.Auth;
using Parley.Transactional.ApiKeys;
using Parley.Server.Errors;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using static Parley.Server.Transactional.BillingResponses;
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
        var calls = app.MapGroup("/v1/calls").RequireTenant().RequireScope(ApiKeyScopes.Calls).WithCrudProblems().WithTags("Calls");
        calls.MapGet("/", async (Guid? agentId, Guid? contactId, string? status, DateTimeOffset? from,
            DateTimeOffset? to, int? limit, string? after, CallService s, CancellationToken ct) =>
        {
            var filter = new CallFilter(agentId, contactId, status, from, to);
            var page = await s.ListAsync(filter, PageRequest.Parse(limit, after), ct);
            return TypedResults.Ok(new ListResponse<CallResponse>(page.Items.Select(c => Of(c)).ToList(), page.Next));
        });
        calls.MapPost("/", async Task<Results<Created<CallStartedResponse>, ProblemHttpResult>> (StartCallRequest body,
            CallService s, CallAdmission admission, TenantWarmer warmer, ITenantContext tenant, HttpContext http, CancellationToken ct) =>
        {
            // Refused before anything is written: the platform retries the call elsewhere.
            if (admission.TryAdmit() is { } refusal)
            {
                http.Response.Headers.RetryAfter = ((int)refusal.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(refusal.Detail, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "This node is full", type: "https://parley.dev/problems/node-full",
                    extensions: new Dictionary<string, object?> { ["reason"] = refusal.Reason });
            }
            Call call;
            try
            {
                call = await s.StartAsync(body.AgentId, body.Contact?.Phone, body.Direction, ct);
            }
            catch
            {
                admission.Abandoned();
                throw;
            }
            admission.Started(call.Id);
            // The call's first search should read memory: warm the tenant's index or rows meanwhile (queued, never awaited).
            warmer.Request(tenant.Scope.RequireAccount());
            return TypedResults.Created($"/v1/calls/{call.Id}", Started(call));
        }).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        calls.MapPost("/{id:guid}/end", async (Guid id, CallService s, CallAdmission admission, InterimPrefetches interims, CancellationToken ct) =>
        {
            var ended = await s.EndAsync(id, ct);
            admission.Ended(id);
            interims.Drop(id);
            return TypedResults.Ok(Of(ended));
        });
        calls.MapGet("/{id:guid}", async (Guid id, CallService s, CancellationToken ct) =>
        {
            var call = await s.GetAsync(id, ct);
            return TypedResults.Ok(Of(call.Call, call.Turns));
        });

        var billing = app.MapGroup("/v1").RequireTenant().RequireScope(ApiKeyScopes.Billing).WithCrudProblems().WithTags("Billing");
        billing.MapGet("/usage", async (DateTimeOffset? from, DateTimeOffset? to, BillingService s,
            CancellationToken ct) =>
            TypedResults.Ok(new ItemsResponse<UsageResponse>([.. (await s.UsageAsync(from, to, ct)).Select(Of)])));
        billing.MapGet("/invoices", async (BillingService s, CancellationToken ct) =>
            TypedResults.Ok(new ItemsResponse<InvoiceResponse>([.. (await s.InvoicesAsync(ct)).Select(Of)])));
        billing.MapPost("/invoices", async (InvoiceRequest body, BillingService s, CancellationToken ct) =>
        {
            var invoice = await s.GenerateInvoiceAsync(body.PeriodStart, body.PeriodEnd, ct);
            return TypedResults.Created($"/v1/invoices/{invoice.Id}", Of(invoice));
        });
        billing.MapGet("/invoices/{id:guid}", async (Guid id, BillingService s, CancellationToken ct) =>
        {
            var (invoice, payments) = await s.InvoiceAsync(id, ct);
            return TypedResults.Ok(new InvoiceWithPaymentsResponse(
                Of(invoice), payments.Select(Of).ToList()));
        });
        billing.MapPost("/invoices/{id:guid}/payments", async (Guid id, PaymentRequest body, BillingService s,
            CancellationToken ct) =>
        {
            var payment = await s.AddPaymentAsync(id, body.Amount, body.Currency, body.Status,
                body.ExternalReference, ct);
            return TypedResults.Created($"/v1/invoices/{id}", Of(payment));
        }).RequireAuthorization(AuthHostingExtensions.AdminPolicy);
        return app;
    }
}
