namespace Parley.LocalPostgres;

/// <summary>A private cluster could not be prepared, started or stopped; the message says why.</summary>
public sealed class LocalClusterException(string message) : Exception(message);
