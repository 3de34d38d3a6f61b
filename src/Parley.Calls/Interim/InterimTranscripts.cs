using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Transactional.Agents;
using Parley.Transactional.Calls;

namespace Parley.Calls.Interim;

/// <summary>
/// <c>POST /v1/calls/{id}/turns/interim</c>: what the recogniser has heard so far of the caller's utterance,
/// searched in the background so that the final turn finds its passages ready (stage <c>prefetch</c>).
/// Tenant rules as a turn's: another account's call is not found, an ended call is a conflict.
/// </summary>
public sealed class InterimTranscripts(CallService calls, AgentService agents, ITenantContext tenant, InterimPrefetches prefetches)
{
    public async Task<InterimOutcome> OfferAsync(Guid callId, string? transcript, CancellationToken cancellationToken)
    {
        new Validation()
            .Require(!string.IsNullOrWhiteSpace(transcript), "transcript", "transcript is required.")
            .Require(transcript is null || transcript.Length <= CallOrchestrator.MaxTranscriptLength, "transcript",
                $"transcript is longer than {CallOrchestrator.MaxTranscriptLength} characters.")
            .ThrowIfInvalid();
        var account = tenant.Scope.RequireAccount();
        // Through the tenant's row security, as a turn's lookup: another account's call id is a 404.
        var call = await calls.FindAsync(callId, cancellationToken);
        if (call.Status == CallStatus.Ended)
        {
            // Ended by another process or the idle sweeper: whatever this one still holds for it goes too.
            prefetches.Drop(callId);
            throw new ConflictException("This call has ended.");
        }
        var agent = await agents.GetAsync(call.AgentId, cancellationToken);
        return prefetches.Offer(account, callId, agent, transcript!.Trim());
    }
}
