using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.ApiKeys;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Accounts;

/// <summary>A new account and its first key, shown once.</summary>
public sealed record CreatedAccount(Account Account, string ApiKey);

/// <summary>Tenants. Creating one is a platform (admin key) operation.</summary>
public sealed class AccountService(ParleyDbContext db, ITenantContext tenant, ApiKeyService keys, TimeProvider time)
{
    public static readonly string[] Plans = ["starter", "growth", "enterprise"];

    public async Task<CreatedAccount> CreateAsync(string? name, string? language, string? plan, CancellationToken cancellationToken)
    {
        if (!tenant.Scope.IsPlatform)
        {
            throw new NotFoundException("Endpoint");
        }
        language ??= "english";
        plan ??= "starter";
        var v = new Validation().Text(name, "name", 200)
            .Require(Plans.Contains(plan), "plan", $"plan must be one of {string.Join(", ", Plans)}.")
            .Require(language.Length <= 40, "language", "language is too long.");
        if (language.Length <= 40)
        {
            // The language names a PostgreSQL text search configuration: the knowledge base's tsvector uses it.
            var exists = await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = {language}) AS \"Value\"")
                .SingleAsync(cancellationToken);
            v.Require(exists, "language", $"'{language}' is not a text search configuration of this database (english, spanish, simple, …).");
        }
        v.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var account = new Account { Id = AccountId.New(), Name = name!.Trim(), Language = language, Plan = plan, CreatedAt = now, UpdatedAt = now };
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(cancellationToken);
        var key = await keys.CreateAsync(account.Id, "default", null, null, [ApiKeyScopes.All], cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new CreatedAccount(account, key.Secret);
    }

    /// <summary>
    /// Renames an account or changes its plan (platform scope). The language stays: it names the text
    /// search configuration the account's stored chunks were indexed with, so changing it would need a re-index.
    /// </summary>
    public async Task<Account> UpdateAsync(AccountId id, string? name, string? plan, string? language, CancellationToken cancellationToken)
    {
        if (!tenant.Scope.IsPlatform)
        {
            throw new NotFoundException("Account");
        }
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw new NotFoundException("Account");
        new Validation()
            .Text(name, "name", 200, required: false)
            .Require(name is null || !string.IsNullOrWhiteSpace(name), "name", "name must not be empty.")
            .Require(plan is null || Plans.Contains(plan), "plan", $"plan must be one of {string.Join(", ", Plans)}.")
            .Require(language is null || language == account.Language, "language", "language cannot change once the account has a knowledge base indexed with it.")
            .ThrowIfInvalid();
        account.Name = name?.Trim() ?? account.Name;
        account.Plan = plan ?? account.Plan;
        account.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken) =>
        await db.Accounts.AsNoTracking().OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);

    public async Task<Account> GetAsync(AccountId id, CancellationToken cancellationToken) =>
        await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw new NotFoundException("Account");
}
