namespace Parley.Domain;

/// <summary>No such thing for this caller (also what another tenant's id gets: no existence leak).</summary>
public sealed class NotFoundException(string what) : Exception($"{what} not found.");
