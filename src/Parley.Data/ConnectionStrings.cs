using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Parley.Data;

/// <summary>Finds the database Parley should use and turns a <c>postgres://</c> URL into Npgsql's form.</summary>
public static class ConnectionStrings
{
    public const string UrlVariable = "PARLEY_DATABASE_URL";

    /// <summary>The schema owner's URL, beside <see cref="UrlVariable"/>.</summary>
    public const string OwnerUrlVariable = "PARLEY_OWNER_DATABASE_URL";

    public static string? Resolve(IConfiguration configuration)
    {
        var url = configuration[UrlVariable] ?? Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return FromUrl(url);
        }
        return configuration.GetConnectionString("Parley") ?? configuration[$"{DatabaseOptions.Section}:ConnectionString"];
    }

    /// <summary>The owner's connection: <c>PARLEY_OWNER_DATABASE_URL</c> or <c>ConnectionStrings:ParleyOwner</c>; null when neither is set.</summary>
    public static string? ResolveOwner(IConfiguration configuration)
    {
        var url = configuration[OwnerUrlVariable] ?? Environment.GetEnvironmentVariable(OwnerUrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return FromUrl(url);
        }
        return configuration.GetConnectionString("ParleyOwner") is { Length: > 0 } owner ? owner : null;
    }

    /// <summary>Accepts <c>postgres://user:pass@host:port/db?sslmode=…</c> or an Npgsql keyword string.</summary>
    public static string FromUrl(string url)
    {
        if (!url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(url).ConnectionString;
        }
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            b.Username = Uri.UnescapeDataString(userInfo[0]);
        }
        if (userInfo.Length > 1)
        {
            b.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && kv.Length == 2)
            {
                b.SslMode = Enum.Parse<SslMode>(kv[1].Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
            }
        }
        return b.ConnectionString;
    }
}
