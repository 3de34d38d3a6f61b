using System.Text.Json.Serialization;

namespace Parley.Transactional.Billing;

/// <summary>What the payment provider reported; stored and sent as <c>succeeded</c>, <c>pending</c> or <c>failed</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("pending")]
    Pending,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
