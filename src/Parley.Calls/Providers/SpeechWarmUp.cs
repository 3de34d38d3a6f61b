using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Parley.Calls.Providers;

/// <summary>
/// Loads the local speech models at start, not in the first caller's turn: the recogniser's (most of a
/// second) when <c>Parley:Asr:Provider</c> is <c>pocketsphinx</c> (it is only built then), and
/// libespeak-ng's data and default voice when that is the voice.
/// </summary>
internal sealed class SpeechWarmUp(IOptions<AsrOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var asr = options.Value.Provider == "pocketsphinx"
            ? Task.Run(services.GetRequiredService<PocketsphinxSpeechToText>().WarmUp, cancellationToken)
            : Task.CompletedTask;
        var tts = services.GetServices<ITextToSpeech>().FirstOrDefault() is EspeakLibraryTextToSpeech espeak
            ? espeak.WarmUpAsync(cancellationToken)
            : Task.CompletedTask;
        return Task.WhenAll(asr, tts);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
