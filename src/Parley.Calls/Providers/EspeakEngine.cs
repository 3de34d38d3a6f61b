using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Parley.Calls.Providers;

/// <summary>
/// libespeak-ng in process, owned by one thread of its own. The library's state is global and not
/// thread-safe, so every native call (initialisation included) is made on that thread, and there is one
/// engine per process whatever the number of hosts in it: requests queue, in order. A request whose token
/// is cancelled leaves the queue at once; one being spoken stops at the next chunk of samples (the
/// callback returns 1). The engine is never torn down: the library cannot be freed safely while another
/// host might still use it, and a background thread ends with the process.
/// </summary>
internal sealed class EspeakEngine
{
    /// <summary>Samples handed to the callback at a time: the granularity at which a cancelled request stops.</summary>
    private const int ChunkMs = 20;

    private static readonly Lazy<EspeakEngine> s_shared = new(() => new EspeakEngine(), LazyThreadSafetyMode.ExecutionAndPublication);

    // Rooted for the life of the process: the library calls this pointer on every later synthesis.
    private static readonly EspeakNative.SynthCallback s_callback = OnSamples;

    // Read and written only on the engine's thread (the callback runs on it, inside Synth).
    private static Request? s_current;

    private readonly BlockingCollection<Request> _queue = [];
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _voice;
    private int _wordsPerMinute;
    private IntPtr _languageMemory;
    private long _spoken;
    private long _stopped;
    private volatile bool _speaking;

    private EspeakEngine()
    {
        // espeak-ng keeps large buffers on the stack; its own program runs on an 8 MB main thread.
        var thread = new Thread(Run, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "espeak-ng" };
        thread.Start();
    }

    public static EspeakEngine Shared => s_shared.Value;

    /// <summary>Requests waiting for the engine's thread.</summary>
    public int Queued => _queue.Count;

    /// <summary>Syntheses finished (spoken, stopped or failed) since the process started.</summary>
    public long Spoken => Interlocked.Read(ref _spoken);

    /// <summary>Syntheses the library stopped part way because their token was cancelled.</summary>
    public long Stopped => Interlocked.Read(ref _stopped);

    /// <summary>The library is speaking a request now.</summary>
    public bool Speaking => _speaking;

    /// <summary>The library's sample rate once it is loaded (22 050 Hz for Debian's voices).</summary>
    public Task<int> SampleRateAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>The samples (16-bit mono at <see cref="SampleRateAsync"/>) of <paramref name="text"/> spoken by <paramref name="voice"/>.</summary>
    public async Task<short[]> SynthesizeAsync(string text, string voice, int wordsPerMinute, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var request = new Request(text, voice, wordsPerMinute, cancellationToken);
        // The caller is let go the moment its budget ends; the engine skips the request, or stops it.
        await using (cancellationToken.Register(static r => ((Request)r!).Done.TrySetCanceled(((Request)r).Token), request))
        {
            _queue.Add(request, CancellationToken.None);
            return await request.Done.Task;
        }
    }

    private void Run()
    {
        int rate;
        try
        {
            rate = EspeakNative.Initialize(EspeakNative.OutputSynchronous, ChunkMs, IntPtr.Zero, EspeakNative.InitializeDontExit);
            if (rate > 0)
            {
                EspeakNative.SetSynthCallback(s_callback);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _ready.SetException(new InvalidOperationException($"{EspeakNative.Library} could not be loaded (Debian's libespeak-ng1).", e));
            return;
        }
        if (rate <= 0)
        {
            _ready.SetException(new InvalidOperationException($"espeak-ng found no data in {EspeakNative.DataRoot} (Debian's espeak-ng-data)."));
            return;
        }
        _ready.SetResult(rate);
        foreach (var request in _queue.GetConsumingEnumerable())
        {
            if (request.Token.IsCancellationRequested)
            {
                continue;
            }
            try
            {
                Speak(request);
            }
            catch (Exception e)
            {
                request.Done.TrySetException(e);
            }
            finally
            {
                Interlocked.Increment(ref _spoken);
            }
        }
    }

    private void Speak(Request request)
    {
        if (_voice != request.Voice || request.WordsPerMinute != _wordsPerMinute)
        {
            // Forgotten first: after a refused name the library's current voice is not worth trusting.
            _voice = null;
            SetVoice(request.Voice);
            _ = EspeakNative.SetParameter(EspeakNative.ParameterRate, request.WordsPerMinute, 0);
            (_voice, _wordsPerMinute) = (request.Voice, request.WordsPerMinute);
        }
        var utf8 = EspeakNative.CString(request.Text);
        s_current = request;
        _speaking = true;
        int status;
        try
        {
            status = EspeakNative.Synth(utf8, (nuint)utf8.Length, 0, EspeakNative.PositionCharacter, 0, EspeakNative.SynthFlags, IntPtr.Zero, IntPtr.Zero);
        }
        finally
        {
            _speaking = false;
            s_current = null;
        }
        if (request.Stopped)
        {
            Interlocked.Increment(ref _stopped);
        }
        if (request.Token.IsCancellationRequested)
        {
            request.Done.TrySetCanceled(request.Token);
        }
        else if (status != EspeakNative.Ok)
        {
            request.Done.TrySetException(new InvalidOperationException($"espeak-ng could not speak the text ({status})."));
        }
        else
        {
            request.Done.TrySetResult(request.Samples());
        }
    }

    /// <summary>As the espeak-ng program does: a voice of that name (<c>en-us</c>), else one speaking that language (<c>en-gb</c>).</summary>
    private void SetVoice(string voice)
    {
        var rc = EspeakNative.SetVoiceByName(EspeakNative.CString(voice));
        if (rc == EspeakNative.Ok)
        {
            return;
        }
        var language = Marshal.StringToCoTaskMemUTF8(voice.Replace('\0', ' '));
        var spec = new EspeakNative.VoiceSpec { Languages = language };
        rc = EspeakNative.SetVoiceByProperties(ref spec);
        // The library copies the language into its own buffers; kept alive while its voice is current all the same.
        (var previous, _languageMemory) = (_languageMemory, language);
        if (previous != IntPtr.Zero)
        {
            Marshal.FreeCoTaskMem(previous);
        }
        if (rc != EspeakNative.Ok)
        {
            throw new InvalidOperationException(rc == EspeakNative.NotFound
                ? $"espeak-ng has no voice '{voice}'." : $"espeak-ng could not load voice '{voice}' ({rc}).");
        }
    }

    /// <summary>Called by the library inside <see cref="EspeakNative.Synth"/>, on the engine's thread. An exception must not escape into C.</summary>
    private static int OnSamples(IntPtr wav, int samples, IntPtr events)
    {
        try
        {
            var request = s_current;
            if (request is null)
            {
                return 1;
            }
            if (request.Token.IsCancellationRequested)
            {
                request.Stopped = true;
                return 1;
            }
            if (wav != IntPtr.Zero && samples > 0)
            {
                request.Append(wav, samples);
            }
            return 0;
        }
        catch (Exception)
        {
            return 1;
        }
    }

    private sealed class Request(string text, string voice, int wordsPerMinute, CancellationToken token)
    {
        private short[] _samples = new short[22050];
        private int _count;

        public string Text { get; } = text;
        public string Voice { get; } = voice;
        public int WordsPerMinute { get; } = wordsPerMinute;
        public CancellationToken Token { get; } = token;
        public TaskCompletionSource<short[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The callback stopped the library part way.</summary>
        public bool Stopped { get; set; }

        public void Append(IntPtr wav, int samples)
        {
            if (_count + samples > _samples.Length)
            {
                Array.Resize(ref _samples, Math.Max(_samples.Length * 2, _count + samples));
            }
            Marshal.Copy(wav, _samples, _count, samples);
            _count += samples;
        }

        public short[] Samples() => _samples.AsSpan(0, _count).ToArray();
    }
}
