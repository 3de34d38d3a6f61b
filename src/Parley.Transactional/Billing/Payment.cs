using Parley.Domain;

namespace Parley.Transactional.Billing;

/// <summary>A payment against an invoice, as reported by the payment provider.</summary>
public sealed class Payment
{
    public AccountId AccountId { get; set; }
    public Guid Id { get; set; }
    public Guid InvoiceId { get; set; }
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "USD";
    public PaymentStatus Status { get; set; } = PaymentStatus.Succeeded;
    public string? ExternalReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
