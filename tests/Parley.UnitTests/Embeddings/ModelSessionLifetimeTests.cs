using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Embeddings.Local;
using Xunit;

namespace Parley.UnitTests.Embeddings;

/// <summary>
/// Model sessions built while the garbage collector and finalizers run flat out beside them, as in a busy
/// server (or the test host) starting a host. ONNX Runtime's session constructor reads its options through
/// a raw pointer; options collected during the call were freed under it and the process died with a
/// segfault in libonnxruntime.so. A crash here ends the whole test process, so the suite fails loudly.
/// </summary>
public sealed class ModelSessionLifetimeTests
{
    [Fact]
    public async Task Sessions_built_and_disposed_under_constant_collections_stay_sound_and_encode_the_same()
    {
        // Without tiering the constructors are optimised at once, so an options object is dead right after
        // its last use, as in a server whose start-up code has tiered up (the project turns tiering off).
        Assert.Equal("false", AppContext.GetData("System.Runtime.TieredCompilation")?.ToString(), ignoreCase: true);
        using var reference = new LocalMiniLmGenerator(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 1);
        var expected = (await reference.GenerateAsync(["Do you open on Sundays?"]))[0].Vector.ToArray();

        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Garbage for the collector to find, then a full collection and its finalizers.
                _ = new byte[64 * 1024];
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true, Name = "gc-storm" };
        collector.Start();
        try
        {
            for (var round = 0; round < 6; round++)
            {
                using var model = new LocalMiniLmGenerator(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 2);
                var vector = (await model.GenerateAsync(["Do you open on Sundays?"]))[0].Vector.ToArray();
                Assert.True(vector.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, $"round {round} encodes differently");
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
