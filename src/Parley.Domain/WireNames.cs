using System.Reflection;
using System.Text.Json.Serialization;

namespace Parley.Domain;

/// <summary>
/// The lowercase string a state enum travels as, read from its members'
/// <see cref="JsonStringEnumMemberNameAttribute"/>: the very names its <see cref="JsonStringEnumConverter{TEnum}"/>
/// writes in JSON are the ones stored in the database (EF value conversion, raw SQL), so the two never
/// drift and the rows written before the enums existed read back unchanged.
/// </summary>
public static class WireNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Table<TEnum>.Names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    /// <exception cref="FormatException">No member of <typeparamref name="TEnum"/> has that name.</exception>
    public static TEnum Parse<TEnum>(string name) where TEnum : struct, Enum =>
        TryParse<TEnum>(name, out var value)
            ? value
            : throw new FormatException($"'{name}' is not a {typeof(TEnum).Name}.");

    /// <summary>Exact and case-sensitive: stored and sent values are lowercase, and only those are accepted.</summary>
    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        return name is not null && Table<TEnum>.Values.TryGetValue(name, out value);
    }

    private static class Table<TEnum> where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> Names = typeof(TEnum)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (TEnum)f.GetValue(null)!, NameOf);

        public static readonly Dictionary<string, TEnum> Values =
            Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        private static string NameOf(FieldInfo member) =>
            member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{member.Name} has no wire name.");
    }
}
