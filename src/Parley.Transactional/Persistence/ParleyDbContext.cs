using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Accounts;

namespace Parley.Transactional.Persistence;

/// <summary>
/// The transactional side of the hybrid design. It owns the one migration history of the whole
/// database, the vector tables included (created by hand-written SQL in migrations), but never
/// queries them: that is the knowledge side's raw Npgsql code.
/// </summary>
public sealed class ParleyDbContext(DbContextOptions<ParleyDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ParleyDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<AccountId>().HaveConversion<AccountIdConverter>();
    }
}
