using System.Diagnostics.Metrics;
using Parley.Domain;

namespace Parley.Knowledge;

/// <summary>Meter <c>Parley.Knowledge</c>: search latency and count by account and plan, ingested chunks.</summary>
public sealed class KnowledgeMetrics
{
    public const string MeterName = "Parley.Knowledge";

    private readonly Histogram<double> _searchDuration;
    private readonly Counter<long> _searches;
    private readonly Counter<long> _ingested;
    private readonly Histogram<double> _writeDuration;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _jobDuration;
    private readonly Histogram<double> _extractionDuration;
    private readonly Counter<long> _extractorsStarted;
    private readonly Counter<long> _warms;
    private readonly Histogram<double> _warmDuration;

    public KnowledgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _searchDuration = meter.CreateHistogram<double>("parley.search.duration", "s", "Time of the vector/hybrid query at the database (one round trip)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1] });
        _searches = meter.CreateCounter<long>("parley.searches", "{search}", "Knowledge searches");
        _ingested = meter.CreateCounter<long>("parley.ingested_chunks", "{chunk}", "Chunks written to the knowledge base");
        _writeDuration = meter.CreateHistogram<double>("parley.ingest.write.duration", "s", "Time to write one document's chunks (COPY, one transaction)");
        _jobs = meter.CreateCounter<long>("parley.ingest.jobs", "{job}", "Attempts of background ingestion jobs, by outcome");
        _jobDuration = meter.CreateHistogram<double>("parley.ingest.job.duration", "s", "Time of one attempt of a background ingestion job");
        _extractionDuration = meter.CreateHistogram<double>("parley.extraction.duration", "s", "Time to extract one upload in an extractor child, waiting for one included, by outcome");
        _extractorsStarted = meter.CreateCounter<long>("parley.extraction.children_started", "{process}", "Extractor child processes started");
        _warms = meter.CreateCounter<long>("parley.knowledge.warms", "{warm}",
            "Warms of a tenant's index or rows asked by a call start, by outcome (index, index-os, rows, empty, failed, skipped, dropped)");
        _warmDuration = meter.CreateHistogram<double>("parley.knowledge.warm.duration", "s", "Time of one warm at the database, by outcome");
    }

    public void Searched(AccountId account, string strategy, string mode, TimeSpan elapsed)
    {
        KeyValuePair<string, object?>[] tags = [new("parley.account.id", account.ToString()), new("parley.search.strategy", strategy), new("parley.search.mode", mode)];
        _searchDuration.Record(elapsed.TotalSeconds, tags);
        _searches.Add(1, tags);
    }

    public void Ingested(AccountId account, int chunks, TimeSpan writeTime)
    {
        _ingested.Add(chunks, new KeyValuePair<string, object?>("parley.account.id", account.ToString()));
        _writeDuration.Record(writeTime.TotalSeconds, new KeyValuePair<string, object?>("parley.account.id", account.ToString()));
    }

    /// <summary>One attempt of a background job ended: succeeded, retried, failed, released (shutdown) or lost (lease).</summary>
    public void JobFinished(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("parley.job.outcome", outcome);
        _jobs.Add(1, tag);
        _jobDuration.Record(elapsed.TotalSeconds, tag);
    }

    /// <summary>One extraction ended: ok, refused (a bad document), stopped (the child was lost to it), failed, or busy (no child free in time).</summary>
    public void Extracted(string outcome, TimeSpan elapsed) =>
        _extractionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("parley.extraction.outcome", outcome));

    public void ExtractorStarted() => _extractorsStarted.Add(1);

    /// <summary>A warm asked at a call start: ran (with what it warmed), failed, skipped (warmed recently) or dropped (queue full).</summary>
    public void Warmed(AccountId account, string outcome, TimeSpan? elapsed = null)
    {
        KeyValuePair<string, object?>[] tags = [new("parley.account.id", account.ToString()), new("parley.warm.outcome", outcome)];
        _warms.Add(1, tags);
        if (elapsed is { } e)
        {
            _warmDuration.Record(e.TotalSeconds, tags[1]);
        }
    }
}
