namespace Parley.Domain;

/// <summary>The tenant: every row of tenant data carries one.</summary>
public readonly record struct AccountId(Guid Value)
{
    public static AccountId New() => new(Guid.CreateVersion7());
    public override string ToString() => Value.ToString();
    public static bool TryParse(string? s, out AccountId id)
    {
        var ok = Guid.TryParse(s, out var g);
        id = new AccountId(g);
        return ok;
    }
}
