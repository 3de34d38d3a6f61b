using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Domain;
using Parley.Transactional.Accounts;

namespace Parley.Transactional.Persistence;

/// <summary>
/// The shape every tenant table shares: <c>(account_id, id)</c> as primary key, so the schema can be
/// distributed by tenant (Citus) without changing a key, and a cascade from the account.
/// </summary>
internal static class TenantEntityConfiguration
{
    public static EntityTypeBuilder<T> AsTenantTable<T>(this EntityTypeBuilder<T> b, string table,
        Expression<Func<T, object?>> account, Expression<Func<T, object?>> key) where T : class
    {
        b.ToTable(table);
        b.HasKey(key);
        b.HasOne<Account>().WithMany().HasForeignKey(account).OnDelete(DeleteBehavior.Cascade);
        return b;
    }
}
