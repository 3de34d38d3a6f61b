namespace Parley.Domain;

/// <summary>Builds a <see cref="Page{T}"/> from a keyset query.</summary>
public static class Paging
{
    /// <summary>Queries fetch one row more than the limit: its presence says there is a next page.</summary>
    public static Page<T> Of<T>(List<T> rows, PageRequest page, Func<T, Guid> id)
    {
        var more = rows.Count > page.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return new Page<T>(rows, more ? id(rows[^1]).ToString() : null);
    }
}
