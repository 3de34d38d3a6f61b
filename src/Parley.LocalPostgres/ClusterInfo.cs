namespace Parley.LocalPostgres;

/// <summary>What a private cluster needs to be reached: kept in <c>cluster.json</c> beside its data.</summary>
public sealed record ClusterInfo(int Port, string SuperuserPassword, string AppPassword)
{
    public const string Database = "parley";
    public const string AppUser = "parley";
    public const string Superuser = "postgres";

    /// <summary>The application's connection: a role that owns the schema but is neither superuser nor BYPASSRLS.</summary>
    public string AppConnectionString =>
        $"Host=127.0.0.1;Port={Port};Database={Database};Username={AppUser};Password={AppPassword}";

    public string SuperuserConnectionString(string database = Database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={Superuser};Password={SuperuserPassword}";
}
