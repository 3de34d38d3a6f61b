using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Parley.Calls.Providers;

/// <summary>
/// Loads the local recogniser's model at start (most of a second), not in the first caller's turn; does
/// nothing unless <c>Parley:Asr:Provider</c> is <c>pocketsphinx</c> (the recogniser is only built then).
/// </summary>
internal sealed class SpeechWarmUp(IOptions<AsrOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => options.Value.Provider == "pocketsphinx"
        ? Task.Run(services.GetRequiredService<PocketsphinxSpeechToText>().WarmUp, cancellationToken)
        : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
