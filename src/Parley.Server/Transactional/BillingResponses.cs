using Parley.Transactional.Billing;

namespace Parley.Server.Transactional;

/// <summary>Usage, invoices and payments as the API shows them.</summary>
internal static class BillingResponses
{
    public sealed record UsageResponse(
        Guid AccountId, Guid Id, string Kind, decimal Quantity, DateTimeOffset OccurredAt, Guid? CallId);

    public static UsageResponse Of(UsageRecord u) =>
        new(u.AccountId.Value, u.Id, u.Kind, u.Quantity, u.OccurredAt, u.CallId);

    public sealed record InvoiceResponse(
        Guid AccountId, Guid Id, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Currency,
        decimal Total, InvoiceStatus Status, IReadOnlyList<InvoiceLine> Lines, DateTimeOffset CreatedAt);

    public static InvoiceResponse Of(Invoice i) =>
        new(i.AccountId.Value, i.Id, i.PeriodStart, i.PeriodEnd, i.Currency, i.Total, i.Status, i.Lines, i.CreatedAt);

    public sealed record PaymentResponse(
        Guid AccountId, Guid Id, Guid InvoiceId, decimal Amount, string Currency, PaymentStatus Status,
        string? ExternalReference, DateTimeOffset CreatedAt);

    public static PaymentResponse Of(Payment p) =>
        new(p.AccountId.Value, p.Id, p.InvoiceId, p.Amount, p.Currency, p.Status, p.ExternalReference, p.CreatedAt);

    public sealed record InvoiceWithPaymentsResponse(InvoiceResponse Invoice, IReadOnlyList<PaymentResponse> Payments);
}
