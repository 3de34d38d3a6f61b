using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Parley.Calls.Conversation;

/// <summary>
/// Runs the follow-up rewrite once at start, so its word sets are built and its code compiled before the
/// first caller's follow-up: that first call cost several milliseconds, the rest microseconds
/// (<c>bench followups</c>' rewrite p99 was the first turn of each server).
/// </summary>
internal sealed class RewriteWarmUp(IOptions<CallOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RewriteFollowUps)
        {
            _ = FollowUpRewriter.Rewrite("And how do I do that on Sundays too?", ["How do I book a table for two?"]);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
