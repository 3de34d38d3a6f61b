using Microsoft.Win32.SafeHandles;

namespace Parley.Data.Writers;

/// <summary>The spool's file work, all off the turns' path: fsync, deleting and creating segments, reading them back.</summary>
public sealed partial class RecordSpool
{
    /// <summary>
    /// Woken by every append and completion: one fsync for everything written since the last (group
    /// commit), deletion of finished segments, and a spare segment made ready for the next roll. Syncs are
    /// at least <see cref="_syncInterval"/> apart: under many concurrent turns an fsync per wake meant
    /// hundreds a second on the disk PostgreSQL fsyncs its WAL to, each one a journal commit that the turns'
    /// own appends (and the database's commits) queued behind.
    /// </summary>
    private async Task LoopAsync()
    {
        var lastSync = long.MinValue;
        while (await _wake.Reader.WaitToReadAsync())
        {
            if (_syncInterval > TimeSpan.Zero && lastSync != long.MinValue
                && _syncInterval - _time.GetElapsedTime(lastSync) is { Ticks: > 0 } wait)
            {
                // Appends arriving meanwhile join this sync; a closing spool cuts the wait short.
                try
                {
                    await Task.Delay(wait, _time, _closing.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            lastSync = _time.GetTimestamp();
            _wake.Reader.TryRead(out _);
            Segment[] dirty, finished;
            var needSpare = false;
            lock (_lock)
            {
                dirty = [.. _unsynced];
                _unsynced.Clear();
                finished = [.. _finished];
                _finished.Clear();
                needSpare = _spare is null;
            }
            foreach (var s in dirty)
            {
                try
                {
                    RandomAccess.FlushToDisk(s.Handle);
                }
                catch (ObjectDisposedException)
                {
                    // Read back and deleted meanwhile: nothing left to make durable.
                }
            }
            if (dirty.Length > 0)
            {
                Interlocked.Increment(ref _syncs);
            }
            foreach (var s in finished)
            {
                Delete(s.Path, s.Handle);
            }
            if (needSpare)
            {
                try
                {
                    var spare = CreateFile();
                    lock (_lock)
                    {
                        _spare ??= spare;
                    }
                }
                catch (IOException)
                {
                    // The next roll creates its segment itself, or fails and keeps its records in memory.
                }
            }
        }
    }

    private static void Delete(string path, SafeFileHandle handle)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for a later start to read back: its records are all stored, so nothing is written twice.
        }
        handle.Dispose();
    }

    /// <summary>
    /// The segments to read back now: those of processes that stopped (once, at start) and this process's
    /// segments holding records beyond the in-memory queue (the current one is sealed for that).
    /// </summary>
    public IReadOnlyList<Replay> TakeReplays()
    {
        var replays = new List<Replay>();
        foreach (var path in _orphans)
        {
            try
            {
                replays.Add(new Replay(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None), null, 0));
            }
            catch (IOException)
            {
                // Held by a live process (or gone already): its owner writes those records.
            }
        }
        _orphans.Clear();
        lock (_lock)
        {
            // A segment still being written to is taken next time: its last lines are not all there yet.
            foreach (var s in _segments.Values.Where(s => s.Overflowed && s.InFlight == 0).ToList())
            {
                if (s == _current)
                {
                    s.Sealed = true;
                    _current = Register(_spare ?? CreateFile());
                    _spare = null;
                }
                // Read back in full; the records it also queued in memory are written twice, which the writers' stores absorb.
                _segments.Remove(s.Number);
                _unsynced.Remove(s);
                _bytes -= s.Length;
                replays.Add(new Replay(s.Path, s.Handle, s.Length, s.OverflowCount));
            }
        }
        _wake.Writer.TryWrite(true);
        return replays;
    }

    /// <summary>
    /// The records of a segment to read back, one JSON line each. What follows the last line feed (the
    /// segment's unused zeros, or a line torn by a crash of the host) is left out, and so are the zeros of
    /// a write that failed (JSON has no raw NUL).
    /// </summary>
    public static List<ReadOnlyMemory<byte>> ReadLines(Replay replay)
    {
        var length = replay.Length ?? RandomAccess.GetLength(replay.Handle);
        var bytes = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(replay.Handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        var lines = new List<ReadOnlyMemory<byte>>();
        var memory = bytes.AsMemory(0, read);
        while (memory.Span.IndexOf((byte)'\n') is var end and >= 0)
        {
            var line = memory[..end];
            var start = line.Span.IndexOfAnyExcept((byte)0);
            if (start >= 0)
            {
                lines.Add(line[start..]);
            }
            memory = memory[(end + 1)..];
        }
        return lines;
    }

    /// <summary>Every record of a replayed segment is stored: it goes.</summary>
    public static void Finish(Replay replay) => Delete(replay.Path, replay.Handle);

    /// <summary>Makes everything durable; deletes the segments whose records are all stored, keeps the others for the next start.</summary>
    public ValueTask DisposeAsync()
    {
        // A host stops its writers and then disposes them: the second call waits for the first close.
        lock (_lock)
        {
            _closed ??= CloseAsync();
        }
        return new ValueTask(_closed);
    }

    private async Task CloseAsync()
    {
        await Task.Yield();
        lock (_lock)
        {
            foreach (var s in _segments.Values.ToList())
            {
                Seal(s);
            }
        }
        _wake.Writer.TryComplete();
        await _closing.CancelAsync();
        await _loop;
        _closing.Dispose();
        lock (_lock)
        {
            foreach (var s in _finished)
            {
                Delete(s.Path, s.Handle);
            }
            _finished.Clear();
            foreach (var s in _segments.Values)
            {
                RandomAccess.FlushToDisk(s.Handle);
                s.Handle.Dispose();
            }
            _segments.Clear();
            if (_spare is { } spare)
            {
                Delete(spare.Path, spare.Handle);
                _spare = null;
            }
        }
    }

    /// <summary>A segment being read back: its path, the locked handle, how much of it to read (null: all), and how many of its records are in no queue but this file.</summary>
    public sealed record Replay(string Path, SafeFileHandle Handle, long? Length, long Overflowed);
}
