using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Parley.Transactional.Persistence;

/// <summary>
/// Where ASP.NET Data Protection keeps its key ring (the keys that encrypt integration secrets): one
/// table in Parley's database, so every server process reads the same keys and a secret written by
/// one is read by another. A context of its own so that the key store stays out of the tenant model:
/// the table is platform-wide (no account, no row-level security) and is created by the migration
/// <c>SharedCallHistory</c> in the one migration history; this context never migrates.
/// </summary>
public sealed class DataProtectionKeyContext(DbContextOptions<DataProtectionKeyContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
}
