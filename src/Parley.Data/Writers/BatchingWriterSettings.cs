using System.Text.Json.Serialization.Metadata;

namespace Parley.Data.Writers;

/// <summary>How a <see cref="BatchingWriter{T}"/> queues, batches, retries and keeps its records.</summary>
/// <param name="Name">The writer, in logs and metric tags (<c>call_log</c>, <c>search_records</c>).</param>
/// <param name="Capacity">Records held in memory; beyond it they stay in the spool only, or (without one) are dropped and counted.</param>
/// <param name="MaxRetries">Attempts after the first before a batch that keeps failing for a passing reason is given up; null: until the database is back.</param>
/// <param name="Json">How a record is written as JSON: its spool line and its dead-letter payload.</param>
/// <param name="Spool">Where records go before they are queued, so they survive the process; null keeps them in memory only.</param>
public sealed record BatchingWriterSettings<T>(string Name, int Capacity, int BatchSize, int? MaxRetries, JsonTypeInfo<T> Json, RecordSpool? Spool = null);
