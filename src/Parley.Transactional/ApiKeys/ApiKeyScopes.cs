namespace Parley.Transactional.ApiKeys;

/// <summary>
/// What an API key may do, one scope per feature of the API. <see cref="All"/> (<c>*</c>) is every
/// scope: the rights of a key created without scopes, so that clients from before scopes keep working.
/// </summary>
public static class ApiKeyScopes
{
    public const string All = "*";
    public const string KnowledgeRead = "knowledge:read";
    public const string KnowledgeWrite = "knowledge:write";
    public const string Calls = "calls";
    public const string Agents = "agents";
    public const string Contacts = "contacts";
    public const string Users = "users";
    public const string Integrations = "integrations";
    public const string Keys = "keys";
    public const string Metrics = "metrics";
    public const string Billing = "billing";
    public const string Account = "account";

    /// <summary>Every scope a key can be given, <see cref="All"/> included.</summary>
    public static IReadOnlyList<string> Known { get; } =
        [All, KnowledgeRead, KnowledgeWrite, Calls, Agents, Contacts, Users, Integrations, Keys, Metrics, Billing, Account];

    public static bool IsKnown(string scope) => Known.Contains(scope, StringComparer.Ordinal);

    /// <summary>Whether keys holding <paramref name="held"/> may do what <paramref name="scope"/> guards.</summary>
    public static bool Grants(IReadOnlyCollection<string> held, string scope) =>
        held.Contains(All, StringComparer.Ordinal) || held.Contains(scope, StringComparer.Ordinal);

    /// <summary>The first of <paramref name="wanted"/> that <paramref name="held"/> does not grant, or null.</summary>
    public static string? FirstNotGranted(IReadOnlyCollection<string> held, IEnumerable<string> wanted) =>
        wanted.FirstOrDefault(w => w == All ? !held.Contains(All, StringComparer.Ordinal) : !Grants(held, w));
}
