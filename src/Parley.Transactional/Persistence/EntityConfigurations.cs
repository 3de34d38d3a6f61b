using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;
using Parley.Transactional.Users;

namespace Parley.Transactional.Persistence;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.AsTenantTable("users", u => u.AccountId, u => new { u.AccountId, u.Id });
        b.Property(u => u.Email).HasMaxLength(320);
        b.Property(u => u.Role).HasMaxLength(20);
        b.HasIndex(u => new { u.AccountId, u.Email }).IsUnique();
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.AsTenantTable("api_keys", k => k.AccountId, k => new { k.AccountId, k.Id });
        b.Property(k => k.Prefix).HasMaxLength(32);
        b.HasIndex(k => k.Hash).IsUnique();
    }
}

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> b)
    {
        b.AsTenantTable("agents", a => a.AccountId, a => new { a.AccountId, a.Id });
        b.Property(a => a.Name).HasMaxLength(200);
        b.Property(a => a.SystemPrompt).HasMaxLength(Agent.MaxSystemPromptLength);
    }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> b)
    {
        b.AsTenantTable("contacts", c => c.AccountId, c => new { c.AccountId, c.Id });
        b.Property(c => c.Phone).HasMaxLength(16);
        b.Property(c => c.Metadata).HasColumnType("jsonb");
        b.HasIndex(c => new { c.AccountId, c.Phone }).IsUnique();
    }
}

internal sealed class CallConfiguration : IEntityTypeConfiguration<Call>
{
    public void Configure(EntityTypeBuilder<Call> b)
    {
        b.AsTenantTable("calls", c => c.AccountId, c => new { c.AccountId, c.Id });
        b.HasOne<Agent>().WithMany().HasForeignKey(c => new { c.AccountId, c.AgentId }).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => new { c.AccountId, c.StartedAt, c.Id });
        b.HasIndex(c => new { c.AccountId, c.ExternalId }).IsUnique().HasFilter("external_id IS NOT NULL");
    }
}

internal sealed class CallTurnConfiguration : IEntityTypeConfiguration<CallTurn>
{
    public void Configure(EntityTypeBuilder<CallTurn> b)
    {
        b.AsTenantTable("call_turns", t => t.AccountId, t => new { t.AccountId, t.Id });
        b.HasOne<Call>().WithMany().HasForeignKey(t => new { t.AccountId, t.CallId }).OnDelete(DeleteBehavior.Cascade);
        b.Property(t => t.Sources).HasColumnType("jsonb");
        // Unique: ordinals come from the call's row (migration SharedCallHistory), whichever process takes the turn.
        b.HasIndex(t => new { t.AccountId, t.CallId, t.Ordinal }).IsUnique();
    }
}

internal sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> b)
    {
        b.AsTenantTable("usage_records", u => u.AccountId, u => new { u.AccountId, u.Id });
        b.Property(u => u.Quantity).HasPrecision(18, 4);
        b.HasIndex(u => new { u.AccountId, u.OccurredAt });
    }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> b)
    {
        b.AsTenantTable("invoices", i => i.AccountId, i => new { i.AccountId, i.Id });
        b.Property(i => i.Total).HasPrecision(18, 4);
        b.Property(i => i.Currency).HasMaxLength(3);
        b.OwnsMany(i => i.Lines, l => l.ToJson());
    }
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.AsTenantTable("payments", p => p.AccountId, p => new { p.AccountId, p.Id });
        b.HasOne<Invoice>().WithMany().HasForeignKey(p => new { p.AccountId, p.InvoiceId }).OnDelete(DeleteBehavior.Restrict);
        b.Property(p => p.Amount).HasPrecision(18, 4);
        b.Property(p => p.Currency).HasMaxLength(3);
    }
}

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> b)
    {
        b.AsTenantTable("integrations", i => i.AccountId, i => new { i.AccountId, i.Id });
        b.Property(i => i.Settings).HasColumnType("jsonb");
    }
}
