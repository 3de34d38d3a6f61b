using System.Text.Json.Serialization;

namespace Parley.Knowledge.Ingestion;

/// <summary>
/// What an ingest did: <c>created</c>, <c>replaced</c> (the content changed) or <c>unchanged</c> (the same
/// content: nothing written). A job keeps it in <c>knowledge_jobs.result</c> under the same names.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<IngestStatus>))]
public enum IngestStatus
{
    [JsonStringEnumMemberName("created")]
    Created,

    [JsonStringEnumMemberName("replaced")]
    Replaced,

    [JsonStringEnumMemberName("unchanged")]
    Unchanged,
}
