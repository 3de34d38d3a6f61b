using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Domain;

/// <summary>The tenant: every row of tenant data carries one.</summary>
[JsonConverter(typeof(AccountIdJsonConverter))]
public readonly record struct AccountId(Guid Value)
{
    public static AccountId New() => new(Guid.CreateVersion7());
    public override string ToString() => Value.ToString();
    public static bool TryParse(string? s, out AccountId id)
    {
        var ok = Guid.TryParse(s, out var g);
        id = new AccountId(g);
        return ok;
    }
}

/// <summary>An account id travels in JSON as its plain uuid string, as every other id does.</summary>
public sealed class AccountIdJsonConverter : JsonConverter<AccountId>
{
    public override AccountId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetGuid());

    public override void Write(Utf8JsonWriter writer, AccountId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
