using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Domain;
using Parley.Embeddings.Local;
using Xunit;

namespace Parley.UnitTests.Embeddings;

/// <summary>The queue in front of the real model's sessions: concurrent requests share runs, turns go before background work.</summary>
public sealed class EmbeddingBatcherTests
{
    private static EmbeddingGenerationOptions As(EmbeddingPriority priority) =>
        new() { AdditionalProperties = new() { [EmbeddingProperties.Priority] = priority } };

    [Fact]
    public async Task Concurrent_requests_on_one_busy_session_are_encoded_in_fewer_runs_and_get_their_own_vectors()
    {
        using var model = new LocalMiniLmGenerator(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 1,
            batching: new LocalBatching(TimeSpan.FromMilliseconds(2)));
        var questions = Enumerable.Range(0, 24).Select(i => $"Can I book a table for {i} people on Friday?").ToArray();
        var alone = new float[questions.Length][];
        for (var i = 0; i < questions.Length; i++)
        {
            alone[i] = (await model.GenerateAsync([questions[i]], As(EmbeddingPriority.Turn)))[0].Vector.ToArray();
        }
        var before = model.ModelRuns;
        Assert.Equal(questions.Length, before);

        var together = await Task.WhenAll(questions.Select(q => Task.Run(() => model.GenerateAsync([q], As(EmbeddingPriority.Turn)))));

        var runs = model.ModelRuns - before;
        Assert.True(runs < questions.Length / 2, $"{questions.Length} concurrent requests took {runs} model runs");
        for (var i = 0; i < questions.Length; i++)
        {
            // Padding in a batch changes the vector only by float noise.
            var v = together[i][0].Vector.ToArray();
            Assert.True(v.Zip(alone[i]).Max(p => Math.Abs(p.First - p.Second)) < 1e-4, $"question {i} differs batched");
        }
    }

    [Fact]
    public async Task A_turn_arriving_behind_a_large_background_request_is_answered_before_the_background_work_ends()
    {
        using var model = new LocalMiniLmGenerator(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 1);
        var chunks = Enumerable.Range(0, 160).Select(i => string.Join(' ', Enumerable.Repeat($"Chunk {i} of the menu, prices and opening hours of the bistro.", 12))).ToArray();
        var background = model.GenerateAsync(chunks, As(EmbeddingPriority.Background));
        await Task.Delay(50);
        Assert.False(background.IsCompleted, "the background batch should still be running");

        var turn = await model.GenerateAsync(["What time do you open on Sunday?"], As(EmbeddingPriority.Turn));

        Assert.Single(turn);
        Assert.False(background.IsCompleted, "the turn waited for all the background work");
        Assert.Equal(chunks.Length, (await background).Count);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_dropped_and_the_others_still_complete()
    {
        using var model = new LocalMiniLmGenerator(NullLogger<LocalMiniLmGenerator>.Instance, sessions: 1);
        var chunks = Enumerable.Range(0, 64).Select(i => string.Join(' ', Enumerable.Repeat($"Chunk {i} of the wine list.", 20))).ToArray();
        var background = model.GenerateAsync(chunks, As(EmbeddingPriority.Background));
        // The session must be busy before the search request arrives, or it may take and finish that request
        // (it goes first) before the cancel below, on a machine that descheduled this thread a few ms: once one
        // background piece is done, the next is taken at once and runs for far longer than this thread needs.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (model.ModelRuns == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first background piece never ran");
            await Task.Delay(1);
        }
        using var cancel = new CancellationTokenSource();
        var cancelled = model.GenerateAsync(["never mind"], As(EmbeddingPriority.Search), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(chunks.Length, (await background).Count);
    }
}
