namespace Parley.Server;

/// <summary>A bounded list that has no further pages.</summary>
internal sealed record ItemsResponse<T>(IReadOnlyList<T> Items);
