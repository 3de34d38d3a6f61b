using Microsoft.EntityFrameworkCore;
using Parley.Domain;
using Parley.Transactional.Billing;
using Parley.Transactional.Contacts;
using Parley.Transactional.Persistence;

namespace Parley.Transactional.Calls;

/// <summary>Filters of the call list.</summary>
public sealed record CallFilter(Guid? AgentId = null, Guid? ContactId = null, string? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>A call with its turns in order.</summary>
public sealed record CallWithTurns(Call Call, IReadOnlyList<CallTurn> Turns);

/// <summary>Starts, ends and reads calls. Turns are appended by the call-log writer, not here.</summary>
public sealed class CallService(ParleyDbContext db, ITenantContext tenant, ContactService contacts, TimeProvider time)
{
    public async Task<Call> StartAsync(Guid? agentId, string? phone, string? direction, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        var known = WireNames.TryParse<CallDirection>(direction ?? "in", out var way);
        new Validation()
            .Require(agentId is not null && agentId != Guid.Empty, "agentId", "agentId is required.")
            .Require(known, "direction", "direction must be 'in' or 'out'.")
            .Require(phone is null || Validation.IsE164(phone), "contact.phone", "phone must be in E.164 form, e.g. +15550100.")
            .ThrowIfInvalid();
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.AccountId == account && a.Id == agentId, cancellationToken);
        new Validation()
            .Require(agent is not null, "agentId", "No such agent in this account.")
            .Require(agent is null || agent.Active, "agentId", "This agent is not active.")
            .ThrowIfInvalid();
        Guid? contactId = phone is null ? null : (await contacts.FindOrCreateAsync(phone, cancellationToken)).Id;
        var call = new Call { AccountId = account, Id = Guid.CreateVersion7(), AgentId = agentId!.Value, ContactId = contactId, Direction = way, Status = CallStatus.Active, StartedAt = time.GetUtcNow() };
        db.Calls.Add(call);
        await db.SaveChangesAsync(cancellationToken);
        return call;
    }

    /// <summary>
    /// The call a voice platform names by its own id: found again, or started on first sight (inbound,
    /// no contact). Two first requests racing for one id meet at the unique index; the loser reads the
    /// winner's call. <c>Started</c> says whether this request made it (the loser of a race did not).
    /// </summary>
    public async Task<(Call Call, bool Started)> FindOrStartExternalAsync(Guid agentId, string externalId, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        new Validation().Text(externalId, "user", MaxExternalIdLength, required: true).ThrowIfInvalid();
        var found = await db.Calls.FirstOrDefaultAsync(c => c.AccountId == account && c.ExternalId == externalId, cancellationToken);
        if (found is not null)
        {
            return (found, false);
        }
        var call = new Call
        {
            AccountId = account, Id = Guid.CreateVersion7(), AgentId = agentId, Direction = CallDirection.In,
            Status = CallStatus.Active, StartedAt = time.GetUtcNow(), ExternalId = externalId,
        };
        db.Calls.Add(call);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (call, true);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            db.Entry(call).State = EntityState.Detached;
            return (await db.Calls.FirstAsync(c => c.AccountId == account && c.ExternalId == externalId, cancellationToken), false);
        }
    }

    public const int MaxExternalIdLength = 200;

    /// <summary>
    /// Ends the call and bills its seconds, once: the update takes only a call still active, so the
    /// idle sweeper (<c>IdleCallSweeper</c>) and a late <c>/end</c> racing for one call bill it once.
    /// </summary>
    public async Task<Call> EndAsync(Guid id, CancellationToken cancellationToken)
    {
        var call = await FindAsync(id, cancellationToken);
        if (call.Status == CallStatus.Ended)
        {
            return call;
        }
        var now = time.GetUtcNow();
        var duration = Math.Round((now - call.StartedAt).TotalSeconds, 3);
        await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var ended = await db.Calls
                .Where(c => c.AccountId == call.AccountId && c.Id == id && c.Status == CallStatus.Active)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, CallStatus.Ended).SetProperty(c => c.EndedAt, now)
                    .SetProperty(c => c.DurationSeconds, duration), cancellationToken);
            if (ended == 1)
            {
                db.UsageRecords.Add(new UsageRecord
                {
                    AccountId = call.AccountId, Id = Guid.CreateVersion7(), Kind = BillingService.CallSeconds,
                    Quantity = (decimal)duration, OccurredAt = now, CallId = call.Id,
                });
                await db.SaveChangesAsync(cancellationToken);
                // The call's last turns (on its row for every server process) are not kept past the call.
                await db.Database.ExecuteSqlAsync(
                    $"UPDATE calls SET recent_turns = '[]' WHERE account_id = {call.AccountId.Value} AND id = {call.Id}", cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
        await db.Entry(call).ReloadAsync(cancellationToken);
        return call;
    }

    public async Task<Call> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        return await db.Calls.FirstOrDefaultAsync(c => c.AccountId == account && c.Id == id, cancellationToken)
            ?? throw new NotFoundException("Call");
    }

    public async Task<CallWithTurns> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var call = await FindAsync(id, cancellationToken);
        var turns = await db.CallTurns.AsNoTracking().Where(t => t.AccountId == call.AccountId && t.CallId == id)
            .OrderBy(t => t.Ordinal).ToListAsync(cancellationToken);
        return new CallWithTurns(call, turns);
    }

    /// <summary>Newest first; the cursor is the last call's id (v7 ids sort by creation time).</summary>
    public async Task<Page<Call>> ListAsync(CallFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        var account = tenant.Scope.RequireAccount();
        new Validation()
            .Require(filter.Status is null || WireNames.TryParse<CallStatus>(filter.Status, out _), "status", "status must be 'active' or 'ended'.")
            .Require(filter.From is null || filter.To is null || filter.From <= filter.To, "from", "from must not be after to.")
            .ThrowIfInvalid();
        var q = db.Calls.AsNoTracking().Where(c => c.AccountId == account);
        if (filter.AgentId is { } agent)
        {
            q = q.Where(c => c.AgentId == agent);
        }
        if (filter.ContactId is { } contact)
        {
            q = q.Where(c => c.ContactId == contact);
        }
        if (filter.Status is { } named)
        {
            var status = WireNames.Parse<CallStatus>(named);
            q = q.Where(c => c.Status == status);
        }
        if (filter.From is { } from)
        {
            q = q.Where(c => c.StartedAt >= from);
        }
        if (filter.To is { } to)
        {
            q = q.Where(c => c.StartedAt < to);
        }
        if (page.After is { } after)
        {
            q = q.Where(c => c.Id < after);
        }
        var rows = await q.OrderByDescending(c => c.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return Paging.Of(rows, page, c => c.Id);
    }
}
