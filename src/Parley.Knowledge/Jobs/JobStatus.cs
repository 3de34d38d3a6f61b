using System.Text.Json.Serialization;

namespace Parley.Knowledge.Jobs;

/// <summary>
/// A background ingestion's state, as the <c>knowledge_jobs.status</c> CHECK constraint spells it and
/// the API shows it: <c>queued</c>, <c>running</c>, <c>succeeded</c> or <c>failed</c>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobStatus>))]
public enum JobStatus
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
