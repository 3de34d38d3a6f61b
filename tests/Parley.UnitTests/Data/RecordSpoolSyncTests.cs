using System.Text;
using Microsoft.Extensions.Time.Testing;
using Parley.Data.Writers;
using Xunit;

namespace Parley.UnitTests.Data;

/// <summary>The spool's fsyncs are at least the sync interval apart (on a fake clock), and a closing spool syncs at once.</summary>
public sealed class RecordSpoolSyncTests : IDisposable
{
    private static readonly byte[] Line = Encoding.UTF8.GetBytes("{\"turn\":1}\n");
    private readonly string _root = Directory.CreateTempSubdirectory("parley-spool-sync-").FullName;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Appends_after_a_sync_wait_for_the_interval_then_share_one_sync()
    {
        await using var spool = RecordSpool.Open(_root, "sync", "Host=127.0.0.1;Port=5432;Database=spool", 1 << 20, TimeSpan.FromSeconds(1), _time);
        spool.Append(Line);
        await WaitForAsync(() => spool.Syncs == 1, "the first append's sync");

        spool.Append(Line);
        spool.Append(Line);
        // The loop is awake but the clock has not moved: no second sync however long we look.
        await Task.Delay(300);
        Assert.Equal(1, spool.Syncs);

        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(() => spool.Syncs == 2, "the sync after the interval");
        await Task.Delay(100);
        Assert.Equal(2, spool.Syncs);
    }

    [Fact]
    public async Task Closing_the_spool_does_not_wait_for_a_clock_that_never_moves()
    {
        var spool = RecordSpool.Open(_root, "close", "Host=127.0.0.1;Port=5432;Database=spool", 1 << 20, TimeSpan.FromMilliseconds(1), _time);
        spool.Append(Line);
        await WaitForAsync(() => spool.Syncs == 1, "the first append's sync");
        spool.Append(Line);
        // A fake clock never reaches the interval: the pending delay must not hold the close (it syncs itself).
        var closed = spool.DisposeAsync().AsTask();
        Assert.Same(closed, await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task A_spool_stopped_then_disposed_closes_once()
    {
        var spool = RecordSpool.Open(_root, "twice", "Host=127.0.0.1;Port=5432;Database=spool", 1 << 20, TimeSpan.FromMilliseconds(10), _time);
        spool.Append(Line);
        var first = spool.DisposeAsync().AsTask();
        var second = spool.DisposeAsync().AsTask();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));
        await spool.DisposeAsync();
        // The segment with a record not yet stored stays for the next start; nothing else is left open or twice deleted.
        Assert.Single(Directory.EnumerateFiles(RecordSpool.DirectoryFor(_root, "Host=127.0.0.1;Port=5432;Database=spool"), "twice-*"));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
