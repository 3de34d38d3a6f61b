using Microsoft.Extensions.Options;
using Parley.Calls.Conversation;
using Parley.Calls.Pipeline;
using Parley.Domain;
using Parley.Transactional.Agents;

namespace Parley.Calls.Interim;

/// <summary>
/// <c>POST /v1/calls/{id}/turns/interim</c>: what the recogniser has heard so far of the caller's utterance,
/// searched in the background so that the final turn finds its passages ready (stage <c>prefetch</c>).
/// Tenant rules as a turn's: another account's call is not found, an ended call is a conflict. A follow-up
/// is rewritten from the call's last turn as the final turn's <c>rewrite</c> stage will rewrite it, so that
/// both compare the same standalone query (the call's turns are sequential: the last turn is the same).
/// </summary>
public sealed class InterimTranscripts(
    CallHistory history, AgentService agents, ITenantContext tenant, InterimPrefetches prefetches, IOptions<CallOptions> options)
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
        var call = await history.PeekAsync(account, callId, cancellationToken) ?? throw new NotFoundException("Call");
        if (!call.Active)
        {
            // Ended by another process or the idle sweeper: whatever this one still holds for it goes too.
            prefetches.Drop(callId);
            throw new ConflictException("This call has ended.");
        }
        var agent = await agents.GetAsync(call.AgentId, cancellationToken);
        var text = transcript!.Trim();
        if (options.Value.RewriteFollowUps && call.Recent.Count > 0)
        {
            text = FollowUpRewriter.Rewrite(text, [call.Recent[^1].Query]).Text;
        }
        return prefetches.Offer(account, callId, agent, text);
    }
}
