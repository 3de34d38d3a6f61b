using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Domain;

namespace Parley.Transactional.Persistence;

/// <summary>A state enum in a text column, as the same lowercase word it is in JSON: the stored values predate the enums.</summary>
internal sealed class WireNameConverter<TEnum>() : ValueConverter<TEnum, string>(v => WireNames.Of(v), s => WireNames.Parse<TEnum>(s))
    where TEnum : struct, Enum;
