namespace Parley.Server.Monitoring;

/// <summary>
/// <c>GET /v1/metrics/node</c>: how full this node is. Calls active in this process and the static
/// limit (0: none), calls refused since start, and the p90 of how long turns and searches waited for
/// the embedding model over the admission window, against the adaptive limit.
/// </summary>
internal sealed record NodeMetrics(int ActiveCalls, int MaxActiveCalls, long RefusedCalls,
    double ModelQueueWaitP90Ms, int ModelQueueWaitSamples, double MaxModelQueueWaitMs);
