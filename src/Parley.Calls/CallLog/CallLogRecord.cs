using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Parley.Transactional.Billing;
using Parley.Transactional.Calls;

namespace Parley.Calls.CallLog;

/// <summary>One record of the call log as queued and spooled: a turn, or a usage record.</summary>
public sealed record CallLogRecord(CallTurn? Turn, UsageRecord? Usage)
{
    /// <summary>How a record is written in the spool and in a dead letter (source-generated: it is on the answer's path).</summary>
    public static JsonTypeInfo<CallLogRecord> Json => CallLogJson.Default.CallLogRecord;
}

/// <summary>Source-generated JSON for the spool (a line per turn on the answer's path: no reflection there).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CallLogRecord))]
internal sealed partial class CallLogJson : JsonSerializerContext;
