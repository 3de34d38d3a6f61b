using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Domain;
using Parley.Transactional.Billing;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Calls;

/// <summary>
/// Writes batches of turns and usage records for the call-log writer. Each batch spans accounts, so it
/// runs under the platform scope; the rows carry their own account ids.
/// </summary>
public sealed class CallLogStore(IServiceScopeFactory scopes)
{
    public async Task AppendAsync(IReadOnlyList<CallTurn> turns, IReadOnlyList<UsageRecord> usage, CancellationToken cancellationToken)
    {
        try
        {
            await SaveAsync(turns, usage, cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The writer retries a batch whose write failed. If the commit went through and only its
            // acknowledgement was lost (the server died at that moment), the rows are there already:
            // write what is missing, or the batch would fail on its own keys forever.
            var (missingTurns, missingUsage) = await MissingAsync(turns, usage, cancellationToken);
            await SaveAsync(missingTurns, missingUsage, cancellationToken);
        }
    }

    private async Task SaveAsync(IReadOnlyList<CallTurn> turns, IReadOnlyList<UsageRecord> usage, CancellationToken cancellationToken)
    {
        if (turns.Count == 0 && usage.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        db.CallTurns.AddRange(turns);
        db.UsageRecords.AddRange(usage);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<(List<CallTurn> Turns, List<UsageRecord> Usage)> MissingAsync(IReadOnlyList<CallTurn> turns, IReadOnlyList<UsageRecord> usage, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        var turnIds = turns.Select(t => t.Id).ToList();
        var usageIds = usage.Select(u => u.Id).ToList();
        var accounts = turns.Select(t => t.AccountId).Concat(usage.Select(u => u.AccountId)).Distinct().ToList();
        var storedTurns = (await db.CallTurns.AsNoTracking().Where(t => accounts.Contains(t.AccountId) && turnIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet();
        var storedUsage = (await db.UsageRecords.AsNoTracking().Where(u => accounts.Contains(u.AccountId) && usageIds.Contains(u.Id)).Select(u => u.Id).ToListAsync(cancellationToken)).ToHashSet();
        return (turns.Where(t => !storedTurns.Contains(t.Id)).ToList(), usage.Where(u => !storedUsage.Contains(u.Id)).ToList());
    }
}
