namespace Parley.Domain;

/// <summary>
/// Whose data a unit of work may touch: one account, or the platform (admin tasks that span accounts).
/// The database enforces it with row-level security; this value is what we tell it.
/// </summary>
public sealed record TenantScope
{
    private TenantScope(AccountId? account, bool platform)
    {
        Account = account;
        IsPlatform = platform;
    }

    public AccountId? Account { get; }
    public bool IsPlatform { get; }

    public static TenantScope For(AccountId account) => new(account, false);
    public static TenantScope Platform { get; } = new(null, true);
    /// <summary>No tenant: row-level security shows no tenant rows at all.</summary>
    public static TenantScope None { get; } = new(null, false);

    public AccountId RequireAccount() =>
        Account ?? throw new InvalidOperationException("This operation needs an account scope.");
}
