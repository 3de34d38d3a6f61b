using System.Text.Json.Serialization;

namespace Parley.Transactional.Calls;

/// <summary>Who dialled; stored and sent as <c>in</c> or <c>out</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallDirection>))]
public enum CallDirection
{
    [JsonStringEnumMemberName("in")]
    In,

    [JsonStringEnumMemberName("out")]
    Out,
}
