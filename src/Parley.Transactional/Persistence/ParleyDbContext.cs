using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Accounts;
using Parley.Transactional.Agents;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;
using Parley.Transactional.Contacts;
using Parley.Transactional.Integrations;
using Parley.Transactional.Users;

namespace Parley.Transactional.Persistence;

/// <summary>
/// The transactional side of the hybrid design. It owns the one migration history of the whole
/// database, the vector tables included (created by hand-written SQL in migrations), but never
/// queries them: that is the knowledge side's raw Npgsql code.
/// </summary>
public sealed class ParleyDbContext(DbContextOptions<ParleyDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Call> Calls => Set<Call>();
    public DbSet<CallTurn> CallTurns => Set<CallTurn>();
    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Integration> Integrations => Set<Integration>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ParleyDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<AccountId>().HaveConversion<AccountIdConverter>();
        configurationBuilder.Properties<CallStatus>().HaveConversion<WireNameConverter<CallStatus>>();
        configurationBuilder.Properties<CallDirection>().HaveConversion<WireNameConverter<CallDirection>>();
        configurationBuilder.Properties<InvoiceStatus>().HaveConversion<WireNameConverter<InvoiceStatus>>();
        configurationBuilder.Properties<PaymentStatus>().HaveConversion<WireNameConverter<PaymentStatus>>();
    }
}
