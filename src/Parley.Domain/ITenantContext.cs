namespace Parley.Domain;

/// <summary>The tenant scope of the current request or job (scoped service).</summary>
public interface ITenantContext
{
    TenantScope Scope { get; set; }
}

/// <summary>Default holder: a request sets it once it has authenticated its caller.</summary>
public sealed class TenantContext : ITenantContext
{
    public TenantScope Scope { get; set; } = TenantScope.None;
}
