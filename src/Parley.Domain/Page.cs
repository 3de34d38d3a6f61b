namespace Parley.Domain;

/// <summary>A page of a keyset-paginated list: <c>next</c> is the cursor of the following page, or null.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
