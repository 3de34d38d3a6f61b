using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Parley.Calls.Pipeline;

/// <summary>
/// The spoken form of answers already spoken, by provider, voice and text. Phone questions repeat, and
/// the answer cache already returns the same text for them; speaking it again is the one stage that
/// still costs: measured with <c>./parley bench turn --turns 1000 --concurrency 8</c> on 2 cores,
/// espeak-ng took p50 91 ms and missed its 100 ms budget on 186 of 1 000 turns, leaving those
/// callers with no audio at all. Bounded by bytes (MemoryCache with a size limit evicts what is
/// least recently used), so a long tail of unique answers cannot grow it.
/// </summary>
public sealed class SpeechCache : IDisposable
{
    private readonly MemoryCache? _cache;
    private readonly CallMetrics _metrics;

    public SpeechCache(IOptions<CallOptions> options, CallMetrics metrics)
    {
        _metrics = metrics;
        // 0 megabytes turns the cache off: every answer is spoken.
        _cache = options.Value.SpeechCacheMegabytes > 0
            ? new MemoryCache(new MemoryCacheOptions { SizeLimit = (long)options.Value.SpeechCacheMegabytes * 1024 * 1024 })
            : null;
    }

    public bool TryGet(string provider, string voice, string text, out byte[] audio)
    {
        audio = [];
        if (_cache is null)
        {
            return false;
        }
        var hit = _cache.TryGetValue((provider, voice, text), out byte[]? found) && found is not null;
        _metrics.SpeechCache(hit);
        audio = found ?? [];
        return hit;
    }

    public void Add(string provider, string voice, string text, byte[] audio) =>
        _cache?.Set((provider, voice, text), audio, new MemoryCacheEntryOptions { Size = audio.Length + text.Length * 2 });

    public void Dispose() => _cache?.Dispose();
}
