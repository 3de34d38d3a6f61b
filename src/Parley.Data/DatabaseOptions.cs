using System.ComponentModel.DataAnnotations;

namespace Parley.Data;

/// <summary>Pool settings of both data sources (the design: max 20, idle 30 s, connect timeout 2 s).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Parley:Database";

    /// <summary>Resolved from <c>PARLEY_DATABASE_URL</c> or <c>ConnectionStrings:Parley</c> when empty.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema owner's connection: migrations, index builds and platform-wide work (see
    /// <see cref="PlatformConnectionString"/>). Resolved from <c>PARLEY_OWNER_DATABASE_URL</c> or
    /// <c>ConnectionStrings:ParleyOwner</c> when empty.
    /// </summary>
    public string? OwnerConnectionString { get; set; }

    /// <summary>
    /// Instead of <see cref="OwnerConnectionString"/>: the owner's credentials on the very database of
    /// <see cref="ConnectionString"/> (one setting for every database of a cluster, as the test runs use).
    /// </summary>
    public string? OwnerUsername { get; set; }

    public string? OwnerPassword { get; set; }

    /// <summary>
    /// Where migrations and platform-wide work connect: the owner when one is configured, else the
    /// server's own role (an external database with one role: it owns the schema, and row-level
    /// security is then only as strong as the code, see README: Database roles).
    /// </summary>
    public string? PlatformConnectionString
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(OwnerConnectionString))
            {
                return OwnerConnectionString;
            }
            if (string.IsNullOrWhiteSpace(OwnerUsername) || string.IsNullOrWhiteSpace(ConnectionString))
            {
                return ConnectionString;
            }
            return new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Username = OwnerUsername, Password = OwnerPassword }.ConnectionString;
        }
    }

    /// <summary>Whether migrations and platform-wide work use a role of their own.</summary>
    public bool HasOwner => PlatformConnectionString != ConnectionString;

    /// <summary>
    /// Optional multi-host connection string for vector reads (standbys, then the primary, with
    /// <c>Target Session Attributes=prefer-standby</c>). Writes always use <see cref="ConnectionString"/>.
    /// </summary>
    public string? ReadConnectionString { get; set; }

    /// <summary>An account that wrote within this many seconds reads from the primary (read-your-writes).</summary>
    [Range(0, 3600)]
    public int ReadYourWritesSeconds { get; set; } = 5;

    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 20;

    [Range(1, 3600)]
    public int IdleLifetimeSeconds { get; set; } = 30;

    /// <summary>The owner's pool for platform-wide work (background jobs, admin requests, key look-ups).</summary>
    [Range(1, 1000)]
    public int PlatformMaxPoolSize { get; set; } = 10;

    [Range(1, 120)]
    public int ConnectTimeoutSeconds { get; set; } = 2;

    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>Whether the server migrates (and checks the embedding model) at start; off where others do.</summary>
    public bool Migrate { get; set; } = true;
}
