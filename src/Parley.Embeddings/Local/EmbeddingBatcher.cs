using Parley.Domain;

namespace Parley.Embeddings.Local;

/// <summary>
/// The queue in front of the model sessions. Each session has a thread of its own (a model run blocks
/// a core; on the thread pool it would starve request handling) that takes the most urgent work
/// waiting: turns, then searches, packed into one batch of up to <see cref="LocalBatching.MaxBatch"/>
/// texts, because one run over sixteen short questions costs little more than over one. When every
/// session is idle a request runs at once; when another session is busy (the node has company) a
/// session first waits <see cref="LocalBatching.Window"/> for more requests to join its batch.
/// Background work (ingestion, re-embedding) runs only when nothing more urgent waits, and on at most
/// <see cref="LocalBatching.BackgroundShare"/> of the sessions while turns or searches came in the last
/// second, so a turn never waits for more than one short background run.
/// </summary>
internal sealed class EmbeddingBatcher : IDisposable
{
    private sealed class Request(string[] texts, EmbeddingPriority priority, long enqueued)
    {
        public string[] Texts { get; } = texts;
        public EmbeddingPriority Priority { get; } = priority;
        public long Enqueued { get; } = enqueued;
        public TaskCompletionSource<float[][]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Cancellation { get; set; }
    }

    private static readonly TimeSpan UrgentMemory = TimeSpan.FromSeconds(1);

    private readonly Queue<Request>[] _queues = [new(), new(), new()];
    private readonly object _gate = new();
    private readonly Thread[] _threads;
    private readonly IMiniLmEncoder[] _encoders;
    private readonly LocalBatching _settings;
    private readonly ModelQueueWait? _wait;
    private readonly TimeProvider _time;
    private readonly int _backgroundLimit;
    private int _busy;
    private int _backgroundBusy;
    private long _lastUrgent = long.MinValue;
    private long _runs;
    private bool _disposed;

    public EmbeddingBatcher(IMiniLmEncoder[] encoders, LocalBatching settings, ModelQueueWait? wait, TimeProvider time)
    {
        _encoders = encoders;
        _settings = settings;
        _wait = wait;
        _time = time;
        _backgroundLimit = Math.Max(1, (int)Math.Floor(encoders.Length * settings.BackgroundShare));
        _threads = encoders.Select((e, i) => new Thread(() => Work(e)) { IsBackground = true, Name = $"parley-embed-{i}" }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Model runs so far (a batch of any size is one).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public Task<float[][]> EncodeAsync(string[] texts, EmbeddingPriority priority, CancellationToken cancellationToken)
    {
        var request = new Request(texts, priority, _time.GetTimestamp());
        if (cancellationToken.CanBeCanceled)
        {
            // A request cancelled while queued is dropped by the session that would have taken it.
            request.Cancellation = cancellationToken.Register(() => request.Done.TrySetCanceled(cancellationToken));
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queues[(int)priority].Enqueue(request);
            if (priority != EmbeddingPriority.Background)
            {
                _lastUrgent = request.Enqueued;
            }
            Monitor.Pulse(_gate);
        }
        return request.Done.Task;
    }

    private void Work(IMiniLmEncoder encoder)
    {
        while (true)
        {
            List<Request> batch;
            bool background;
            lock (_gate)
            {
                while (!TryTake(out batch, out background))
                {
                    if (_disposed)
                    {
                        return;
                    }
                    Monitor.Wait(_gate);
                }
                _busy++;
                if (background)
                {
                    _backgroundBusy++;
                }
            }
            Run(encoder, batch);
            lock (_gate)
            {
                _busy--;
                if (background)
                {
                    _backgroundBusy--;
                }
                // A freed background slot or session may let another waiting session go.
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Under the lock: the next batch, or none when nothing may run now.</summary>
    private bool TryTake(out List<Request> batch, out bool background)
    {
        batch = [];
        background = false;
        if (_disposed)
        {
            return false;
        }
        if (_queues[0].Count + _queues[1].Count > 0)
        {
            if (_busy > 0 && _settings.Window > TimeSpan.Zero && Pending() < _settings.MaxBatch)
            {
                Linger();
            }
            var texts = 0;
            foreach (var queue in _queues.AsSpan(0, 2))
            {
                while (queue.TryPeek(out var next) && (texts == 0 || texts + next.Texts.Length <= _settings.MaxBatch))
                {
                    queue.Dequeue();
                    if (!next.Done.Task.IsCompleted)
                    {
                        batch.Add(next);
                        texts += next.Texts.Length;
                    }
                }
            }
            return batch.Count > 0 || TryTake(out batch, out background);
        }
        var urgentLately = _lastUrgent != long.MinValue && _time.GetElapsedTime(_lastUrgent) < UrgentMemory;
        if (_queues[2].Count == 0 || (urgentLately && _backgroundBusy >= _backgroundLimit))
        {
            return false;
        }
        while (_queues[2].TryDequeue(out var next))
        {
            if (!next.Done.Task.IsCompleted)
            {
                batch.Add(next);
                background = true;
                return true;
            }
        }
        return false;
    }

    private int Pending() => _queues[0].Sum(r => r.Texts.Length) + _queues[1].Sum(r => r.Texts.Length);

    /// <summary>Waits (lock released) up to the window for more interactive texts to join the batch.</summary>
    private void Linger()
    {
        var start = _time.GetTimestamp();
        while (Pending() < _settings.MaxBatch && !_disposed)
        {
            var left = _settings.Window - _time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
            {
                return;
            }
        }
    }

    private void Run(IMiniLmEncoder encoder, List<Request> batch)
    {
        var started = _time.GetTimestamp();
        foreach (var r in batch)
        {
            _wait?.Record(r.Priority, _time.GetElapsedTime(r.Enqueued, started));
        }
        try
        {
            var texts = batch.Count == 1 ? batch[0].Texts : batch.SelectMany(r => r.Texts).ToArray();
            var vectors = encoder.Encode(texts, CancellationToken.None);
            Interlocked.Increment(ref _runs);
            var at = 0;
            foreach (var r in batch)
            {
                r.Done.TrySetResult(vectors[at..(at + r.Texts.Length)]);
                at += r.Texts.Length;
            }
        }
        catch (Exception e)
        {
            foreach (var r in batch)
            {
                r.Done.TrySetException(e);
            }
        }
        finally
        {
            foreach (var r in batch)
            {
                r.Cancellation.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        lock (_gate)
        {
            foreach (var r in _queues.SelectMany(q => q))
            {
                r.Done.TrySetException(new ObjectDisposedException(nameof(EmbeddingBatcher)));
            }
        }
    }
}
