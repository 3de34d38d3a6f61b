using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Parley.Calls.Audio;
using Parley.Domain;

namespace Parley.Calls.Providers;

/// <summary>
/// Local speech recognition with Debian's pocketsphinx and its US English model, in process. A decoder
/// is not thread-safe and loading one takes most of a second, so decoders are pooled (one per core by
/// default, created on demand, the first at start). Audio is fed in 100 ms slices, so a budget that
/// runs out stops the decoding within a slice. Weak next to a modern recogniser: a fallback for
/// demos and for machines without network, not a production choice.
/// </summary>
public sealed class PocketsphinxSpeechToText : ISpeechToText, IDisposable
{
    public const int SampleRate = ISpeechToText.SampleRate;
    private const int Slice = SampleRate / 10;

    private readonly ConcurrentBag<IntPtr> _idle = [];
    private readonly SemaphoreSlim _available;
    private readonly Lock _createLock = new();
    private readonly List<IntPtr> _all = [];
    private readonly int _count;
    private int _disposed;

    public PocketsphinxSpeechToText(IOptions<AsrOptions> options)
    {
        if (!Available)
        {
            throw new InvalidOperationException("Parley:Asr:Provider 'pocketsphinx' needs Debian's packages pocketsphinx and pocketsphinx-en-us.");
        }
        _count = options.Value.LocalDecoders ?? Environment.ProcessorCount;
        _available = new SemaphoreSlim(_count, _count);
    }

    public static bool Available => PocketsphinxNative.Installed;

    public string Name => "pocketsphinx";

    public bool AcceptsAudio => true;

    /// <summary>Loads one decoder now, so the first caller does not pay for it.</summary>
    public void WarmUp() => _idle.Add(Create());

    public async Task<string> TranscribeAsync(short[] samples, CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken);
        // Decoding is CPU work in native code: off the request thread, slice by slice. The caller is
        // let go the moment its budget ends; the decoder finishes its slice and returns to the pool.
        var decode = Task.Run(() =>
        {
            try
            {
                return Decode(samples, cancellationToken);
            }
            finally
            {
                _available.Release();
            }
        }, CancellationToken.None);
        return await decode.WaitAsync(cancellationToken);
    }

    private string Decode(short[] samples, CancellationToken cancellationToken)
    {
        var decoder = _idle.TryTake(out var d) ? d : Create();
        try
        {
            Check(PocketsphinxNative.StartUtterance(decoder), "ps_start_utt");
            var slice = new short[Slice];
            try
            {
                for (var at = 0; at < samples.Length; at += Slice)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var n = Math.Min(Slice, samples.Length - at);
                    Array.Copy(samples, at, slice, 0, n);
                    Check(PocketsphinxNative.ProcessRaw(decoder, slice, (nuint)n, 0, 0), "ps_process_raw");
                }
            }
            finally
            {
                // The decoder goes back to the pool ready for the next utterance, even when cut off.
                _ = PocketsphinxNative.EndUtterance(decoder);
            }
            var hyp = PocketsphinxNative.Hypothesis(decoder, out _);
            // Words of its dictionary, but native text all the same: cleaned like every recogniser's.
            return hyp == IntPtr.Zero ? "" : ControlCharacters.Strip(Marshal.PtrToStringUTF8(hyp) ?? "").Trim();
        }
        finally
        {
            _idle.Add(decoder);
        }
    }

    private IntPtr Create()
    {
        string[] argv =
        [
            "parley",
            "-hmm", Path.Combine(PocketsphinxNative.ModelRoot, "en-us"),
            "-lm", Path.Combine(PocketsphinxNative.ModelRoot, "en-us.lm.bin"),
            "-dict", Path.Combine(PocketsphinxNative.ModelRoot, "cmudict-en-us.dict"),
            "-samprate", SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-logfn", "/dev/null",
        ];
        var config = PocketsphinxNative.ParseConfig(IntPtr.Zero, PocketsphinxNative.Args(), argv.Length, argv, 1);
        if (config == IntPtr.Zero)
        {
            throw new InvalidOperationException("pocketsphinx refused its configuration.");
        }
        var decoder = PocketsphinxNative.Init(config);
        // ps_init keeps its own reference to the configuration.
        _ = PocketsphinxNative.FreeConfig(config);
        if (decoder == IntPtr.Zero)
        {
            throw new InvalidOperationException($"pocketsphinx could not load its model from {PocketsphinxNative.ModelRoot}.");
        }
        lock (_createLock)
        {
            _all.Add(decoder);
        }
        return decoder;
    }

    private static void Check(int rc, string function)
    {
        if (rc < 0)
        {
            throw new InvalidOperationException($"pocketsphinx {function} failed ({rc}).");
        }
    }

    public void Dispose()
    {
        // Registered as itself and as ISpeechToText, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Freeing a decoder that is still decoding would crash the process: wait for them (bounded).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < _count; i++)
        {
            var left = TimeSpan.FromSeconds(5) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (!_available.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                return;
            }
        }
        lock (_createLock)
        {
            foreach (var decoder in _all)
            {
                _ = PocketsphinxNative.Free(decoder);
            }
            _all.Clear();
        }
        _available.Dispose();
    }
}
