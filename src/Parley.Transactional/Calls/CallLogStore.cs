using Microsoft.Extensions.DependencyInjection;
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
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().Scope = TenantScope.Platform;
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        db.CallTurns.AddRange(turns);
        db.UsageRecords.AddRange(usage);
        await db.SaveChangesAsync(cancellationToken);
    }
}
