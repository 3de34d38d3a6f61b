namespace Parley.Server;

/// <summary>A keyset-paginated list: <c>next</c> is the cursor of the following page (<c>?after=</c>), or null.</summary>
internal sealed record ListResponse<T>(IReadOnlyList<T> Items, string? Next);
