using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parley.Knowledge.Extraction;

/// <summary>
/// Starts one extractor child in the background as the host starts (<c>WarmUp</c>), so the first
/// upload does not pay for a process start and the parsers' JIT (measured ~0.3 s on 2 cores).
/// </summary>
internal sealed partial class ExtractionWarmUp(ExtractionSandbox sandbox, IOptions<ExtractionOptions> options, ILogger<ExtractionWarmUp> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUp)
        {
            return;
        }
        await Task.Yield();
        try
        {
            await sandbox.WarmUpAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before it was warm.
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ObjectDisposedException or IOException
            or ExtractorBusyException)
        {
            // Uploads start their own child then; say why this one failed.
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The document extractor could not be warmed up")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
