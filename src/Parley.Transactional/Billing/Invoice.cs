using Parley.Domain;

namespace Parley.Transactional.Billing;

/// <summary>A period's usage priced by the account's plan. Money is decimal with its currency, never float.</summary>
public sealed class Invoice
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public DateTimeOffset PeriodEnd { get; set; }
    public string Currency { get; set; } = "USD";
    public decimal Total { get; set; }
    public InvoiceStatus Status { get; set; } = InvoiceStatus.Open;
    public List<InvoiceLine> Lines { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One priced line of an invoice (stored as JSON with the invoice).</summary>
public sealed record InvoiceLine(string Kind, decimal Quantity, decimal UnitPrice, decimal Amount);
