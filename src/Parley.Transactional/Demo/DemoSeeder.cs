using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Accounts;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Demo;

/// <summary>What <c>./parley up</c> prints about the demo tenant.</summary>
public sealed record DemoTenant(AccountId AccountId, string AccountName);

/// <summary>
/// The demo tenant of <c>./parley up</c>: created once, found again on every later start.
/// Its id is fixed so docs and scripts can name it.
/// </summary>
public sealed class DemoSeeder(ParleyDbContext db, ITenantContext tenant, TimeProvider time)
{
    public static readonly AccountId DemoAccountId = new(Guid.Parse("0192f5a0-0000-7000-8000-00000000de30"));
    public const string DemoAccountName = "Harbor Lights Bistro";

    public async Task<DemoTenant> SeedAsync(CancellationToken cancellationToken)
    {
        tenant.Scope = TenantScope.Platform;
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == DemoAccountId, cancellationToken);
        if (account is null)
        {
            var now = time.GetUtcNow();
            db.Accounts.Add(new Account { Id = DemoAccountId, Name = DemoAccountName, Language = "english", CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        return new DemoTenant(DemoAccountId, DemoAccountName);
    }
}
