using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Billing;

/// <summary>Usage, invoices priced by the account's plan, and payments against them.</summary>
public sealed class BillingService(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public const string CallSeconds = "call_seconds";
    public const string EmbeddingTokens = "embedding_tokens";
    public const string LlmTokens = "llm_tokens";
    public const string AsrSeconds = "asr_seconds";
    public const string TtsCharacters = "tts_characters";

    /// <summary>
    /// Unit prices in USD per plan: per call second and per second of speech recognised; per 1 000
    /// embedding tokens, LLM tokens and characters spoken.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>> PriceBook = new Dictionary<string, IReadOnlyDictionary<string, decimal>>
    {
        ["starter"] = new Dictionary<string, decimal> { [CallSeconds] = 0.0020m, [EmbeddingTokens] = 0.00002m, [LlmTokens] = 0.0010m, [AsrSeconds] = 0.0002m, [TtsCharacters] = 0.0150m },
        ["growth"] = new Dictionary<string, decimal> { [CallSeconds] = 0.0015m, [EmbeddingTokens] = 0.00002m, [LlmTokens] = 0.0008m, [AsrSeconds] = 0.00015m, [TtsCharacters] = 0.0120m },
        ["enterprise"] = new Dictionary<string, decimal> { [CallSeconds] = 0.0010m, [EmbeddingTokens] = 0.00001m, [LlmTokens] = 0.0006m, [AsrSeconds] = 0.0001m, [TtsCharacters] = 0.0100m },
    };

    /// <summary>
    /// Embedding tokens of a text as metered: about four characters a token (OpenAI's rule of thumb),
    /// the same for every provider and whether or not the vector came from a cache, so the bill
    /// neither depends on a model's tokenizer nor tells a tenant what someone else embedded.
    /// </summary>
    public static int EstimateTokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    public async Task<IReadOnlyList<UsageRecord>> UsageAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var q = db.UsageRecords.AsNoTracking().Where(u => u.AccountId == account);
        if (from is { } f)
        {
            q = q.Where(u => u.OccurredAt >= f);
        }
        if (to is { } t)
        {
            q = q.Where(u => u.OccurredAt < t);
        }
        return await q.OrderBy(u => u.OccurredAt).Take(10_000).ToListAsync(cancellationToken);
    }

    public async Task<Invoice> GenerateInvoiceAsync(DateTimeOffset? periodStart, DateTimeOffset? periodEnd, CancellationToken cancellationToken)
    {
        var accountId = tenant.Scope.RequireAccount();
        new Validation()
            .Require(periodStart is not null, "periodStart", "periodStart is required.")
            .Require(periodEnd is not null, "periodEnd", "periodEnd is required.")
            .Require(periodStart is null || periodEnd is null || periodStart < periodEnd, "periodEnd", "periodEnd must be after periodStart.")
            .ThrowIfInvalid();
        var account = await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == accountId, cancellationToken);
        var prices = PriceBook.GetValueOrDefault(account.Plan) ?? PriceBook["starter"];
        var usage = await db.UsageRecords.AsNoTracking()
            .Where(u => u.AccountId == accountId && u.OccurredAt >= periodStart && u.OccurredAt < periodEnd)
            .GroupBy(u => u.Kind).Select(g => new { Kind = g.Key, Quantity = g.Sum(u => u.Quantity) })
            .ToListAsync(cancellationToken);
        var lines = usage.OrderBy(u => u.Kind, StringComparer.Ordinal).Select(u =>
        {
            var unit = prices.GetValueOrDefault(u.Kind);
            var billable = u.Kind is CallSeconds or AsrSeconds ? u.Quantity : u.Quantity / 1000m;
            return new InvoiceLine(u.Kind, u.Quantity, unit, Math.Round(billable * unit, 4, MidpointRounding.ToEven));
        }).ToList();
        var invoice = new Invoice
        {
            AccountId = accountId,
            Id = Guid.CreateVersion7(),
            PeriodStart = periodStart!.Value,
            PeriodEnd = periodEnd!.Value,
            Lines = lines,
            Total = lines.Sum(l => l.Amount),
            CreatedAt = time.GetUtcNow(),
        };
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync(cancellationToken);
        return invoice;
    }

    public async Task<IReadOnlyList<Invoice>> InvoicesAsync(CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Invoices.AsNoTracking().Where(i => i.AccountId == account).OrderByDescending(i => i.Id).Take(200).ToListAsync(cancellationToken);
    }

    public async Task<(Invoice Invoice, IReadOnlyList<Payment> Payments)> InvoiceAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var invoice = await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.AccountId == account && i.Id == id, cancellationToken)
            ?? throw new NotFoundException("Invoice");
        var payments = await db.Payments.AsNoTracking().Where(p => p.AccountId == account && p.InvoiceId == id).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        return (invoice, payments);
    }

    public async Task<Payment> AddPaymentAsync(Guid invoiceId, decimal? amount, string? currency, string? status, string? externalReference, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var invoice = await db.Invoices.FirstOrDefaultAsync(i => i.AccountId == account && i.Id == invoiceId, cancellationToken)
            ?? throw new NotFoundException("Invoice");
        var known = WireNames.TryParse<PaymentStatus>(status ?? "succeeded", out var reported);
        currency ??= invoice.Currency;
        new Validation()
            .Require(amount is > 0, "amount", "amount must be positive.")
            .Require(currency == invoice.Currency, "currency", $"currency must be the invoice's, {invoice.Currency}.")
            .Require(known, "status", "status must be succeeded, pending or failed.")
            .Text(externalReference, "externalReference", 200, required: false)
            .ThrowIfInvalid();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var payment = new Payment { AccountId = account, Id = Guid.CreateVersion7(), InvoiceId = invoiceId, Amount = amount!.Value, Currency = currency, Status = reported, ExternalReference = externalReference, CreatedAt = time.GetUtcNow() };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(cancellationToken);
        // Only money received settles an invoice: a pending or failed report leaves it open, even one whose
        // total is still zero because the period's usage has not been written yet.
        var paid = reported == PaymentStatus.Succeeded
            ? await db.Payments.Where(p => p.AccountId == account && p.InvoiceId == invoiceId && p.Status == PaymentStatus.Succeeded).SumAsync(p => p.Amount, cancellationToken)
            : 0m;
        if (reported == PaymentStatus.Succeeded && paid >= invoice.Total)
        {
            invoice.Status = InvoiceStatus.Paid;
            await db.SaveChangesAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return payment;
    }
}
