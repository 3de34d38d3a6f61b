namespace Parley.Domain;

/// <summary>Keyset paging over time-ordered (v7) ids: stable under inserts, no OFFSET scans.</summary>
public sealed record PageRequest(int Limit = 50, Guid? After = null)
{
    public const int MaxLimit = 200;

    public static PageRequest Parse(int? limit, string? after)
    {
        var v = new Validation()
            .Require(limit is null or (>= 1 and <= MaxLimit), "limit", $"limit must be between 1 and {MaxLimit}.");
        Guid? cursor = null;
        if (!string.IsNullOrEmpty(after))
        {
            v.Require(Guid.TryParse(after, out var g), "after", "after must be a cursor returned as next by a previous page.");
            cursor = g;
        }
        v.ThrowIfInvalid();
        return new PageRequest(limit ?? 50, cursor);
    }
}
