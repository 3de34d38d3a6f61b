namespace Parley.Data;

/// <summary>
/// The design's two pools on one database: EF Core's for transactional work, and the raw
/// driver's for vector work, so a burst of searches never starves CRUD and the other way round.
/// Both are keyed <see cref="Npgsql.NpgsqlDataSource"/> singletons.
/// </summary>
public static class DataSourceKeys
{
    public const string Transactional = "parley-transactional";
    public const string Vector = "parley-vector";

    /// <summary>Vector reads: the standbys when replicas are configured, else the same pool as <see cref="Vector"/>.</summary>
    public const string VectorRead = "parley-vector-read";

    /// <summary>
    /// The owner's pool for platform-wide work: the other pools route a platform scope here
    /// (<see cref="PlatformDataSources"/>); the same pool as <see cref="Transactional"/> when one role does everything.
    /// </summary>
    public const string Platform = "parley-platform";
}
