using System.ComponentModel.DataAnnotations;

namespace Parley.Data;

/// <summary>Pool settings of both data sources (the design: max 20, idle 30 s, connect timeout 2 s).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Parley:Database";

    /// <summary>Resolved from <c>PARLEY_DATABASE_URL</c> or <c>ConnectionStrings:Parley</c> when empty.</summary>
    public string? ConnectionString { get; set; }

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

    [Range(1, 120)]
    public int ConnectTimeoutSeconds { get; set; } = 2;

    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>Whether the server migrates (and checks the embedding model) at start; off where others do.</summary>
    public bool Migrate { get; set; } = true;
}
