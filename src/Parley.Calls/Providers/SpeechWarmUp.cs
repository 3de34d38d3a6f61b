using Microsoft.Extensions.Hosting;

namespace Parley.Calls.Providers;

/// <summary>Loads the local recogniser's model at start (most of a second), not in the first caller's turn.</summary>
internal sealed class SpeechWarmUp(PocketsphinxSpeechToText recogniser) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(recogniser.WarmUp, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
