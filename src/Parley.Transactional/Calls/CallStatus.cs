using System.Text.Json.Serialization;

namespace Parley.Transactional.Calls;

/// <summary>Where a call is; stored and sent as <c>active</c> or <c>ended</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallStatus>))]
public enum CallStatus
{
    [JsonStringEnumMemberName("active")]
    Active,

    [JsonStringEnumMemberName("ended")]
    Ended,
}
