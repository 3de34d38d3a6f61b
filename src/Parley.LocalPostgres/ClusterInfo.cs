namespace Parley.LocalPostgres;

/// <summary>What a private cluster needs to be reached: kept in <c>cluster.json</c> beside its data.</summary>
/// <param name="OwnerPassword">Null in a <c>cluster.json</c> written before the owner role existed; filled in at the next start.</param>
public sealed record ClusterInfo(int Port, string SuperuserPassword, string AppPassword, string? OwnerPassword = null)
{
    public const string Database = "parley";

    /// <summary>The server's role: owns nothing, neither superuser nor BYPASSRLS, only the DML it is granted.</summary>
    public const string AppUser = "parley";

    /// <summary>Owns the database and its schema, runs migrations and index builds; never serves tenant requests.</summary>
    public const string OwnerUser = "parley_owner";

    public const string Superuser = "postgres";

    /// <summary>The application's connection (<c>ConnectionStrings:Parley</c>): the runtime role.</summary>
    public string AppConnectionString =>
        $"Host=127.0.0.1;Port={Port};Database={Database};Username={AppUser};Password={AppPassword}";

    /// <summary>The owner's connection (<c>ConnectionStrings:ParleyOwner</c>): migrations and platform-wide work.</summary>
    public string OwnerConnectionString =>
        $"Host=127.0.0.1;Port={Port};Database={Database};Username={OwnerUser};Password={OwnerPassword}";

    public string SuperuserConnectionString(string database = Database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={Superuser};Password={SuperuserPassword}";
}
