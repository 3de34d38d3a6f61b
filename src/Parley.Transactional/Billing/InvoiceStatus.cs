using System.Text.Json.Serialization;

namespace Parley.Transactional.Billing;

/// <summary>Stored and sent as <c>open</c> or <c>paid</c> (paid once succeeded payments cover the total).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InvoiceStatus>))]
public enum InvoiceStatus
{
    [JsonStringEnumMemberName("open")]
    Open,

    [JsonStringEnumMemberName("paid")]
    Paid,
}
