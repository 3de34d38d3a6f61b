using Parley.Transactional.Persistence;

namespace Parley.Transactional.Health;

/// <summary>
/// Shares one in-flight reading of the database's status among the checks that interpret it (reachable
/// and migrated; pgvector's version). The health service runs its checks side by side, each in its own
/// scope: without this each readiness probe read the database twice. A reading is never reused once
/// done, so no probe sees a stale one.
/// </summary>
internal sealed class DatabaseReading(DatabaseStatus status)
{
    private readonly Lock _lock = new();
    private Task<DatabaseStatusReport>? _inFlight;

    public Task<DatabaseStatusReport> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_inFlight is { IsCompleted: false } running)
            {
                // The joiner keeps its own timeout and cancellation.
                return running.WaitAsync(cancellationToken);
            }
            return _inFlight = status.ReadAsync(cancellationToken);
        }
    }
}
